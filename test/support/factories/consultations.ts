import type { Connection } from 'mongoose';
import {
  createConsultationsService,
  type Actor,
  type Consultation,
  type ConsultationInput,
  type ConsultationsService,
  type Round,
  type RoundInput,
} from '../../../src/modules/consultations';

/** The officer the factories act as. */
export const FACTORY_OFFICER: Actor = { id: 'factory-officer', roles: ['officer'], name: 'Factory Officer' };

const DAY = 24 * 3600 * 1000;
let sequence = 0;
function next(): number {
  sequence += 1;
  return sequence;
}

/** A TestApp (anything with `app` and `db.connection`), a mongoose Connection, or a service. */
type Source = ConsultationsService | { app: unknown; db: { connection: Connection } } | Connection;

/** A consultations service on the same database as a TestApp (or a service you already have). */
export async function consultationsServiceFor(source: Source): Promise<ConsultationsService> {
  let service: ConsultationsService;
  if ('createConsultation' in source) service = source;
  else if ('app' in source) service = createConsultationsService({ connection: source.db.connection });
  else service = createConsultationsService({ connection: source });
  await service.init();
  return service;
}

/**
 * Completes a round as an officer would, on a clock of the test's choosing (its completion date), with the app's
 * freezer: its figures are frozen as they are now, dated `at`.
 */
export async function completeRoundAt(
  ctx: {
    db: { connection: Connection };
    composition: { participation: { reports: { freeze(roundId: string, at: Date): Promise<void> } } };
  },
  roundId: string,
  at: Date,
): Promise<Round> {
  const service = createConsultationsService({
    connection: ctx.db.connection,
    clock: () => at,
    freezer: ctx.composition.participation.reports,
  });
  return service.completeRound(roundId, FACTORY_OFFICER);
}

export function roundInput(overrides: Partial<RoundInput> = {}): RoundInput {
  const n = next();
  const now = Date.now();
  return {
    slug: `round-${n}-${Math.random().toString(36).slice(2, 8)}`,
    title: { en: `Engagement round ${n}`, fr: `Cycle de mobilisation ${n}` },
    description: { en: 'A round of engagement.', fr: 'Un cycle de mobilisation.' },
    startsOn: new Date(now - 30 * DAY),
    endsOn: new Date(now + 60 * DAY),
    status: 'active',
    ...overrides,
  };
}

export function consultationInput(
  roundId: string,
  overrides: Partial<ConsultationInput> = {},
): ConsultationInput {
  const n = next();
  const now = Date.now();
  return {
    slug: `consultation-${n}-${Math.random().toString(36).slice(2, 8)}`,
    roundId,
    title: { en: `Open data consultation ${n}`, fr: `Consultation sur les données ouvertes ${n}` },
    summary: { en: 'Tell us how to open more data.', fr: 'Dites-nous comment ouvrir plus de données.' },
    body: { en: '## Why\n\nWe want **your** views.', fr: '## Pourquoi\n\nNous voulons **votre** avis.' },
    themes: ['open_data'],
    leadOrganisation: { en: 'Treasury Board Secretariat', fr: 'Secrétariat du Conseil du Trésor' },
    contactEmail: 'open@example.gc.ca',
    opensAt: new Date(now - DAY),
    closesAt: new Date(now + 14 * DAY),
    ...overrides,
  };
}

export async function createRound(source: Source, overrides: Partial<RoundInput> = {}): Promise<Round> {
  const service = await consultationsServiceFor(source);
  return service.createRound(roundInput(overrides), FACTORY_OFFICER);
}

export interface RoundAndConsultationOverrides {
  round?: Partial<RoundInput>;
  consultation?: Partial<ConsultationInput>;
  /** 'published' (default) or 'draft'. */
  publication?: 'draft' | 'published' | 'archived';
}

/**
 * A round and one consultation in it, published and open now unless told otherwise:
 * `createRoundAndConsultation(ctx, { consultation: { closesAt: new Date(Date.now() - 1000) } })`.
 */
export async function createRoundAndConsultation(
  source: Source,
  overrides: RoundAndConsultationOverrides = {},
): Promise<{ round: Round; consultation: Consultation; service: ConsultationsService }> {
  const service = await consultationsServiceFor(source);
  const round = await service.createRound(roundInput(overrides.round), FACTORY_OFFICER);
  const consultation = await createConsultationIn(service, round.id, overrides);
  return { round, consultation, service };
}

/** Another consultation in an existing round. */
export async function createConsultationIn(
  source: Source,
  roundId: string,
  overrides: Omit<RoundAndConsultationOverrides, 'round'> = {},
): Promise<Consultation> {
  const service = await consultationsServiceFor(source);
  let consultation = await service.createConsultation(
    consultationInput(roundId, overrides.consultation),
    FACTORY_OFFICER,
  );
  const publication = overrides.publication ?? 'published';
  if (publication !== 'draft')
    consultation = await service.publishConsultation(consultation.id, FACTORY_OFFICER);
  if (publication === 'archived')
    consultation = await service.archiveConsultation(consultation.id, FACTORY_OFFICER);
  return consultation;
}
