import { ValidationError } from '../../src/platform/errors';
import { createTestDatabase, type TestDatabase } from '../support/database';
import {
  consultationInput,
  createRoundAndConsultation,
  consultationsServiceFor,
  FACTORY_OFFICER,
  roundInput,
} from '../support/factories/consultations';
import type { ConsultationsService } from '../../src/modules/consultations';

const DAY = 24 * 3600 * 1000;

describe('consultations service', () => {
  let db: TestDatabase;
  let service: ConsultationsService;

  beforeAll(async () => {
    db = await createTestDatabase();
    service = await consultationsServiceFor(db.connection);
  });
  afterAll(() => db.drop());

  it('when a consultation is published with open dates, then it is open now and found by id and slug', async () => {
    const { consultation } = await createRoundAndConsultation(service);
    expect(consultation).toMatchObject({ status: 'open', isOpen: true, publication: 'published' });
    const byId = await service.getConsultationById(consultation.id);
    expect(byId.title.fr).toContain('données ouvertes');
    expect((await service.getConsultationBySlug(consultation.slug)).id).toBe(consultation.id);
    expect(await service.isOpenNow(consultation.id)).toBe(true);
    expect(await service.isOpenNow(consultation.id, new Date(Date.now() + 30 * DAY))).toBe(false);
  });

  it('when a consultation is a draft, then it is hidden unless drafts are asked for, and never open', async () => {
    const { consultation } = await createRoundAndConsultation(service, { publication: 'draft' });
    await expect(service.getConsultationById(consultation.id)).rejects.toThrow('errors:404.body');
    expect(await service.findConsultationById(consultation.id)).toBeNull();
    expect((await service.getConsultationById(consultation.id, { includeDrafts: true })).status).toBe(
      'draft',
    );
    expect(await service.isOpenNow(consultation.id)).toBe(false);
  });

  it('when publishing a consultation missing French texts, then every missing field is listed', async () => {
    const round = await service.createRound(roundInput(), FACTORY_OFFICER);
    const draft = await service.createConsultation(
      consultationInput(round.id, { summary: { en: 'Summary', fr: '' }, body: { en: 'Body', fr: ' ' } }),
      FACTORY_OFFICER,
    );
    const error = await service.publishConsultation(draft.id, FACTORY_OFFICER).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).fieldErrors.map((f) => f.field)).toEqual(['summaryFr', 'bodyFr']);
  });

  it('when the closing date is before the opening date or the slug is taken, then it is refused', async () => {
    const { round, consultation } = await createRoundAndConsultation(service);
    const early = await service
      .createConsultation(
        consultationInput(round.id, { opensAt: new Date(), closesAt: new Date(Date.now() - DAY) }),
        FACTORY_OFFICER,
      )
      .then(
        () => {
          throw new Error('expected a ValidationError');
        },
        (e: unknown) => e as ValidationError,
      );
    expect(early.fieldErrors).toEqual([
      { field: 'closesAt', message: { key: 'consultations:errors.closesBeforeOpens' } },
    ]);
    const duplicate = await service
      .createConsultation(consultationInput(round.id, { slug: consultation.slug }), FACTORY_OFFICER)
      .then(
        () => {
          throw new Error('expected a ValidationError');
        },
        (e: unknown) => e as ValidationError,
      );
    expect(duplicate.fieldErrors.map((f) => f.field)).toEqual(['slug']);
  });

  it('when searching with regex characters, then they are matched literally', async () => {
    const { round } = await createRoundAndConsultation(service);
    const input = consultationInput(round.id, {
      title: { en: 'Budget (2018) a.b*', fr: 'Budget (2018) a.b*' },
    });
    const created = await service.createConsultation(input, FACTORY_OFFICER);
    await service.publishConsultation(created.id, FACTORY_OFFICER);
    const found = await service.listConsultations({ q: '(2018) A.B*', locale: 'en' });
    expect(found.items.map((c) => c.id)).toEqual([created.id]);
    expect((await service.listConsultations({ q: '.*', locale: 'en' })).total).toBe(0);
  });
});
