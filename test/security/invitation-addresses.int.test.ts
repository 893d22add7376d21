/**
 * Security class: injection, in invitation addresses. The invitation box reads addresses with RFC 5322's syntax
 * (src/modules/surveys/invitation-addresses.ts): an entry is one plain mailbox or is refused whole, never re-split
 * into something that looks valid, and no header can ride in on a line break.
 */
import { Types } from 'mongoose';
import type { FormAgent } from '../support/agent';
import { buildTestApp, type TestApp } from '../support/app';
import { createSurvey } from '../support/factories/surveys';
import { agentAs } from '../support/sign-in';

describe('invitation addresses', () => {
  let ctx: TestApp;
  let surveyId: string;
  let officer: FormAgent;

  beforeAll(async () => {
    ctx = await buildTestApp();
    surveyId = (await createSurvey(ctx, { settings: { audience: 'invited' } })).survey.id;
    officer = await agentAs(ctx, 'officer');
  });
  afterAll(() => ctx.close());

  /** Pastes `emails` into the invitation form (multipart, the token as a form field) and returns the outcome page. */
  async function paste(emails: string) {
    const page = await officer.get(`/manage/surveys/${surveyId}/invitations`);
    const token = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1] as string;
    const res = await officer.agent
      .post(`/manage/surveys/${surveyId}/invitations`)
      .field('_csrf', token)
      .field('emails', emails)
      .field('locale', 'en');
    expect(res.status).toBe(303);
    return officer.get(res.headers.location as string);
  }

  async function invited(): Promise<string[]> {
    const docs = await ctx.db.connection
      .collection('survey_invitations')
      .find({ surveyId: new Types.ObjectId(surveyId) })
      .toArray();
    return docs.map((d) => String(d.email)).sort();
  }

  it.each([
    ['a quoted local part holding an address', '"a@gc.ca x"@evil.com'],
    ['a header injected after a line break', 'Bcc: x@evil.com'],
    ['an address followed by a header on the same entry', 'a@gc.ca Bcc: x@evil.com'],
    ['a comment hiding an address', 'x@evil.com(a@gc.ca)'],
    ['two addresses in angle brackets', 'Name <a@gc.ca> <x@evil.com>'],
  ])('when an officer pastes %s, then it is refused whole and nobody is invited', async (_label, entry) => {
    const res = await paste(entry);
    // Nothing valid was pasted: the form asks again (422) with the entry kept, and nobody is invited.
    expect(res.status).toBe(422);
    expect(res.text).toContain('Enter at least one valid email address');
    expect(await invited()).toEqual([]);
  });

  it('when a line break separates a real address from a header, then only the address is invited', async () => {
    const res = await paste('someone@gc.ca\r\nBcc: x@evil.com');
    expect(res.text).toContain('1 invited');
    expect(await invited()).toEqual(['someone@gc.ca']);
  });
});
