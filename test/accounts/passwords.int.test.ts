import { UNIFORM_ANSWER_MS } from '../../src/modules/accounts';
import { agentFor, createUser, signIn } from '../support/factories/users';
import {
  lastEmailTo,
  linkIn,
  pathOf,
  startAccountsApp,
  stopAccountsApp,
  withoutToken,
  type AccountsTestContext,
} from './helpers';

describe('password reset and change', () => {
  let t: AccountsTestContext;

  beforeAll(async () => {
    t = await startAccountsApp();
  });
  afterAll(() => stopAccountsApp(t));

  async function requestReset(email: string, headers: Record<string, string> = {}) {
    const agent = agentFor(t.ctx);
    await agent.get('/password-reset');
    for (const [name, value] of Object.entries(headers)) agent.agent.set(name, value);
    return agent.post('/password-reset', { email });
  }

  it('when a reset is asked for a known and an unknown email, then the answers are identical', async () => {
    const user = await createUser(t.ctx);
    const known = await requestReset(user.email);
    const unknown = await requestReset('no-such-person@example.ca');
    expect(known.status).toBe(200);
    expect(unknown.status).toBe(200);
    expect(known.text).toContain('If that address has an account, we sent it a link');
    expect(withoutToken(unknown.text)).toBe(withoutToken(known.text));
    await t.ctx.notifications.drain();
    expect(t.smtp.to(user.email)).toHaveLength(1);
    expect(t.smtp.to('no-such-person@example.ca')).toHaveLength(0);
  });

  it('when a reset is asked for a known and an unknown email, then neither answers before the same floor', async () => {
    const user = await createUser(t.ctx);
    const agent = agentFor(t.ctx);
    await agent.get('/password-reset');
    const time = async (email: string) => {
      const started = process.hrtime.bigint();
      await agent.post('/password-reset', { email });
      return Number(process.hrtime.bigint() - started) / 1e6;
    };
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 3; i++) {
      known.push(await time(user.email));
      unknown.push(await time(`unknown.${i}@example.ca`));
    }
    // A lower bound only (a timer never fires early; a loaded machine only adds time): both kinds wait for the
    // floor, which hides the work (~20 ms). No upper bound or difference is asserted: those depend on the machine.
    for (const ms of [...known, ...unknown]) expect(ms).toBeGreaterThanOrEqual(UNIFORM_ANSWER_MS - 5);
  });

  it('when the request carries a forged Host header, then the emailed link still uses BASE_URL', async () => {
    const user = await createUser(t.ctx);
    await requestReset(user.email, { Host: 'evil.example', 'X-Forwarded-Host': 'evil.example' });
    const mail = await lastEmailTo(t, user.email);
    expect(mail.subject).toBe('Reset your password');
    expect(mail.text).toContain('http://agora.test/password-reset/');
    expect(mail.text).not.toContain('evil.example');
    expect(mail.html).not.toContain('evil.example');
    expect(mail.text).toContain('This link works for 60 minutes, once.');
  });

  it('when a reset link is used, then the password changes, every session ends and the link cannot be reused', async () => {
    const user = await createUser(t.ctx);
    const elsewhere = await signIn(t.ctx, user);
    expect((await elsewhere.get('/profile')).status).toBe(200);

    await requestReset(user.email);
    const link = pathOf(linkIn(await lastEmailTo(t, user.email), 'http://agora.test/password-reset/'));
    const agent = agentFor(t.ctx);
    const form = await agent.get(link);
    expect(form.status).toBe(200);
    expect(form.text).toContain('Choose a new password');
    const res = await agent.post(link, { password: 'harbour lights over winter fields' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/sign-in?notice=password-reset');

    expect((await elsewhere.get('/profile')).status).toBe(303);
    const changed = await lastEmailTo(t, user.email);
    expect(changed.subject).toBe('Your password was changed');

    const reuse = await agent.post(link, { password: 'another brand new passphrase here' });
    expect(reuse.status).toBe(410);
    expect(reuse.text).toContain('This link no longer works');

    const oldPassword = agentFor(t.ctx);
    await oldPassword.get('/sign-in');
    expect((await oldPassword.post('/sign-in', { email: user.email, password: user.password })).status).toBe(
      401,
    );
    await signIn(t.ctx, { email: user.email, password: 'harbour lights over winter fields' });
  });

  it('when one reset link is submitted twice at the same moment, then only one submission wins', async () => {
    const user = await createUser(t.ctx);
    await requestReset(user.email);
    const link = pathOf(linkIn(await lastEmailTo(t, user.email), 'http://agora.test/password-reset/'));
    const a = agentFor(t.ctx);
    const b = agentFor(t.ctx);
    await a.get(link);
    await b.get(link);
    const results = await Promise.all([
      a.post(link, { password: 'first parallel passphrase wins' }),
      b.post(link, { password: 'second parallel passphrase wins' }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([303, 410]);
  });

  it('when a reset link has expired, then it is refused and the password is unchanged', async () => {
    const user = await createUser(t.ctx);
    await requestReset(user.email);
    const link = pathOf(linkIn(await lastEmailTo(t, user.email), 'http://agora.test/password-reset/'));
    await t.ctx.db.connection
      .collection('account_tokens')
      .updateMany({ purpose: 'reset-password' }, { $set: { expiresAt: new Date(Date.now() - 1) } });
    const agent = agentFor(t.ctx);
    expect((await agent.get(link)).status).toBe(410);
    await agent.get('/sign-in');
    expect((await agent.post(link, { password: 'harbour lights over winter fields' })).status).toBe(410);
    await signIn(t.ctx, user);
  });

  it('when the new password is too weak, then the form comes back with 422 and the link still works', async () => {
    const user = await createUser(t.ctx);
    await requestReset(user.email);
    const link = pathOf(linkIn(await lastEmailTo(t, user.email), 'http://agora.test/password-reset/'));
    const agent = agentFor(t.ctx);
    await agent.get(link);
    const weak = await agent.post(link, { password: 'password1234' });
    expect(weak.status).toBe(422);
    expect(weak.text).toContain('<a href="#password">This password is one of the most common ones');
    expect((await agent.post(link, { password: 'copper kettle on a quiet stove' })).status).toBe(303);
  });

  it('when a reset link is tampered with, then it is refused', async () => {
    const agent = agentFor(t.ctx);
    expect((await agent.get(`/password-reset/${'A'.repeat(43)}`)).status).toBe(410);
    expect((await agent.get('/password-reset/not-a-token')).status).toBe(410);
  });

  it('when a reset link is followed, then an unverified address becomes verified', async () => {
    const agent = agentFor(t.ctx);
    await agent.get('/sign-up');
    await agent.post('/sign-up', {
      name: 'Lost Link',
      email: 'lost.link@example.ca',
      password: 'amber fox under cedar',
    });
    await requestReset('lost.link@example.ca');
    const link = pathOf(
      linkIn(await lastEmailTo(t, 'lost.link@example.ca'), 'http://agora.test/password-reset/'),
    );
    await agent.get(link);
    await agent.post(link, { password: 'harbour lights over winter fields' });
    await signIn(t.ctx, { email: 'lost.link@example.ca', password: 'harbour lights over winter fields' });
  });

  it('when a signed-in user changes their password, then their other sessions end and this one stays', async () => {
    const user = await createUser(t.ctx);
    const here = await signIn(t.ctx, user);
    const there = await signIn(t.ctx, user);
    await here.get('/profile/password');
    const wrong = await here.post('/profile/password', {
      currentPassword: 'not my password at all',
      newPassword: 'silver birch by the lake',
    });
    expect(wrong.status).toBe(422);
    expect(wrong.text).toContain('<a href="#currentPassword">The password is incorrect</a>');
    expect((await there.get('/profile')).status).toBe(200);

    const res = await here.post('/profile/password', {
      currentPassword: user.password,
      newPassword: 'silver birch by the lake',
    });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/profile?notice=password-changed');
    expect((await here.get('/profile?notice=password-changed')).text).toContain(
      'You were signed out on your other devices',
    );
    expect((await there.get('/profile')).status).toBe(303);
    const mail = await lastEmailTo(t, user.email);
    expect(mail.subject).toBe('Your password was changed');
    expect(mail.text).toContain('http://agora.test/password-reset');
  });

  it('when a French user asks for a reset, then the email is in French', async () => {
    const user = await createUser(t.ctx, { locale: 'fr' });
    await requestReset(user.email);
    const mail = await lastEmailTo(t, user.email);
    expect(mail.subject).toBe('Réinitialisez votre mot de passe');
    expect(mail.text).toContain('Ce lien est valide pendant 60 minutes, une seule fois.');
    expect(mail.html).toContain('<html lang="fr">');
  });
});
