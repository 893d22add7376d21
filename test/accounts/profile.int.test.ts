import { ObjectId } from 'mongodb';
import { accountsServiceFor, agentFor, createUser, signIn } from '../support/factories/users';
import { startAccountsApp, stopAccountsApp, type AccountsTestContext } from './helpers';

describe('profile, self-identification, privacy and account deletion', () => {
  let t: AccountsTestContext;
  const users = () => t.ctx.db.connection.collection('users');
  const stored = (id: string) => users().findOne({ _id: new ObjectId(id) });

  beforeAll(async () => {
    t = await startAccountsApp();
  });
  afterAll(() => stopAccountsApp(t));

  const fullProfile = {
    name: 'Marie Tremblay',
    locale: 'en',
    organisation: 'Open North',
    sector: 'civil_society',
    region: 'QC',
  };

  it('when the profile is saved, then sector, region and organisation are kept and shown again', async () => {
    const user = await createUser(t.ctx);
    const agent = await signIn(t.ctx, user);
    await agent.get('/profile');
    const res = await agent.post('/profile', fullProfile);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/profile?notice=profile-saved');
    const page = await agent.get('/profile?notice=profile-saved');
    expect(page.text).toContain('Your profile was saved.');
    expect(page.text).toContain('value="Open North"');
    expect(page.text).toContain('<option value="civil_society" selected>Civil society organization</option>');
    expect(page.text).toContain('<option value="QC" selected>Quebec</option>');
    expect((await stored(user.id))?.profile).toEqual({
      organisation: 'Open North',
      sector: 'civil_society',
      region: 'QC',
    });
  });

  it('when the preferred language is set to French, then the site switches to French', async () => {
    const user = await createUser(t.ctx);
    const agent = await signIn(t.ctx, user);
    await agent.get('/profile');
    await agent.post('/profile', { ...fullProfile, locale: 'fr' });
    const page = await agent.get('/profile');
    expect(page.text).toContain('<html lang="fr">');
    expect(page.text).toContain(
      '<option value="civil_society" selected>Organisation de la société civile</option>',
    );
    expect((await stored(user.id))?.locale).toBe('fr');
  });

  it('when demographics are sent without consent, then they are not stored', async () => {
    const user = await createUser(t.ctx);
    const agent = await signIn(t.ctx, user);
    await agent.get('/profile');
    await agent.post('/profile', { ...fullProfile, gender: 'woman', ageRange: '35_44' });
    const profile = (await stored(user.id))?.profile as Record<string, unknown>;
    expect(profile.gender).toBeUndefined();
    expect(profile.ageRange).toBeUndefined();
  });

  it('when consent is given and then withdrawn, then the demographic answers are stored and then deleted', async () => {
    const user = await createUser(t.ctx);
    const agent = await signIn(t.ctx, user);
    await agent.get('/profile');
    await agent.post('/profile', {
      ...fullProfile,
      demographicsConsent: 'yes',
      gender: 'woman',
      ageRange: '35_44',
    });
    let profile = (await stored(user.id))?.profile as Record<string, unknown>;
    expect(profile).toMatchObject({ gender: 'woman', ageRange: '35_44' });
    expect(profile.demographicsConsentAt).toBeInstanceOf(Date);
    const page = await agent.get('/profile');
    expect(page.text).toMatch(/id="demographicsConsent" name="demographicsConsent" value="yes" checked/);
    expect(page.text).toContain('You agreed on');

    await agent.post('/profile', { ...fullProfile, gender: 'woman', ageRange: '35_44' });
    profile = (await stored(user.id))?.profile as Record<string, unknown>;
    expect(profile.gender).toBeUndefined();
    expect(profile.ageRange).toBeUndefined();
    expect(profile.demographicsConsentAt).toBeUndefined();
  });

  it('when a field is cleared, then it is deleted from the profile', async () => {
    const user = await createUser(t.ctx);
    const agent = await signIn(t.ctx, user);
    await agent.get('/profile');
    await agent.post('/profile', fullProfile);
    await agent.post('/profile', {
      name: 'Marie Tremblay',
      locale: 'en',
      organisation: '',
      sector: '',
      region: '',
    });
    expect((await stored(user.id))?.profile).toEqual({});
  });

  it('when the profile form is invalid, then it comes back with 422, the values kept and nothing saved', async () => {
    const user = await createUser(t.ctx, { name: 'Unchanged Name' });
    const agent = await signIn(t.ctx, user);
    await agent.get('/profile');
    const res = await agent.post('/profile', {
      name: 'New Name',
      locale: 'en',
      organisation: 'Typed Org',
      sector: 'aliens',
      region: 'QC',
    });
    expect(res.status).toBe(422);
    expect(res.text).toContain('<a href="#sector">Choose a sector from the list</a>');
    expect(res.text).toContain('value="New Name"');
    expect(res.text).toContain('value="Typed Org"');
    expect(res.text).toContain('<option value="QC" selected>');
    expect((await stored(user.id))?.name).toBe('Unchanged Name');
  });

  it('when the profile form carries roles, email or status, then they are ignored', async () => {
    const user = await createUser(t.ctx);
    const agent = await signIn(t.ctx, user);
    const page = await agent.get('/profile');
    const token = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1] as string;
    await agent.post('/profile', {
      ...fullProfile,
      roles: ['admin', 'officer'],
      email: 'takeover@example.ca',
      status: 'active',
    });
    const json = await agent.agent
      .post('/profile')
      .set('X-CSRF-Token', token)
      .set('Content-Type', 'application/json')
      .send(
        `{"name":"Marie Tremblay","locale":"en","roles":["admin"],"$set":{"roles":["admin"]},` +
          `"__proto__":{"roles":["admin"]},"constructor":{"prototype":{"roles":["admin"]}}}`,
      );
    expect(json.status).toBe(303);
    const after = await stored(user.id);
    expect(after?.roles).toEqual(['participant']);
    expect(after?.email).toBe(user.email);
    expect((await agent.get('/admin/users')).status).toBe(403);
  });

  it('when an anonymous visitor posts the profile form, then it is refused', async () => {
    const agent = agentFor(t.ctx);
    await agent.get('/sign-in');
    expect((await agent.post('/profile', fullProfile)).status).toBe(401);
  });

  it('when anyone opens the privacy page, then it says what is collected, why and how it is counted', async () => {
    const agent = agentFor(t.ctx);
    const en = await agent.get('/privacy');
    expect(en.status).toBe(200);
    expect(en.text).toContain('What we collect');
    expect(en.text).toContain('Participation is counted by what people said when they took part');
    const fr = await agent.agent.get('/privacy?lang=fr').redirects(1);
    expect(fr.text).toContain('Comment la participation est comptée');
  });

  it('when the wrong password is given to delete the account, then nothing is deleted', async () => {
    const user = await createUser(t.ctx);
    const agent = await signIn(t.ctx, user);
    await agent.get('/profile/delete');
    const res = await agent.post('/profile/delete', { password: 'not my password at all' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('<a href="#password">The password is incorrect</a>');
    expect(await stored(user.id)).not.toBeNull();
  });

  it('when a user deletes their account, then personal data, links and sessions go and listeners are told', async () => {
    const user = await createUser(t.ctx);
    const other = await signIn(t.ctx, user);
    const agent = await signIn(t.ctx, user);
    await agent.get('/profile');
    await agent.post('/profile', { ...fullProfile, demographicsConsent: 'yes', gender: 'man' });
    await agent.get('/profile/delete');
    const res = await agent.post('/profile/delete', { password: user.password });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/sign-in?notice=deleted');
    expect(await stored(user.id)).toBeNull();
    expect(await users().countDocuments({ email: user.email })).toBe(0);
    expect(
      await t.ctx.db.connection.collection('sessions').countDocuments({ 'session.passport.user': user.id }),
    ).toBe(0);
    expect(
      await t.ctx.db.connection
        .collection('account_tokens')
        .countDocuments({ userId: new ObjectId(user.id) }),
    ).toBe(0);
    expect((await other.get('/profile')).status).toBe(303);
    const audit = await t.ctx.db.connection.collection('audit').find({ targetId: user.id }).toArray();
    expect(JSON.stringify(audit)).not.toContain(user.email);
    expect(audit.map((e) => e.action)).toContain('user.deleted');
  });

  it('when an account is deleted through the service, then every registered listener gets the respondent key first', async () => {
    const user = await createUser(t.ctx);
    const accounts = accountsServiceFor(t.ctx);
    const seen: { userId: string; respondentKey: string; userStillThere: boolean }[] = [];
    accounts.onAccountDeleted(async (event) => {
      seen.push({ ...event, userStillThere: Boolean(await stored(event.userId)) });
    });
    await accounts.deleteAccount({ id: user.id, email: user.email, roles: ['participant'] }, user.password);
    expect(seen).toEqual([{ userId: user.id, respondentKey: `user:${user.id}`, userStillThere: true }]);
    expect(await stored(user.id)).toBeNull();
  });

  it('when a listener fails, then the account is kept so the deletion can be tried again', async () => {
    const user = await createUser(t.ctx);
    const accounts = accountsServiceFor(t.ctx);
    accounts.onAccountDeleted(() => Promise.reject(new Error('responses store is down')));
    await expect(
      accounts.deleteAccount({ id: user.id, email: user.email, roles: ['participant'] }, user.password),
    ).rejects.toThrow('responses store is down');
    expect(await stored(user.id)).not.toBeNull();
  });
});
