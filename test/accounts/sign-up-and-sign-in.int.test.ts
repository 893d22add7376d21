import request from 'supertest';
import pino from 'pino';
import { AccountsService } from '../../src/modules/accounts';
import { argon2Hasher, type PasswordHasher } from '../../src/modules/accounts/passwords';
import {
  agentFor,
  createUser,
  DEFAULT_PASSWORD,
  sessionCookieFrom,
  signIn,
} from '../support/factories/users';
import {
  lastEmailTo,
  linkIn,
  pathOf,
  startAccountsApp,
  stopAccountsApp,
  withoutToken,
  type AccountsTestContext,
} from './helpers';

describe('sign-up, email verification, sign-in and sign-out', () => {
  let t: AccountsTestContext;
  const users = () => t.ctx.db.connection.collection('users');

  beforeAll(async () => {
    t = await startAccountsApp();
  });
  afterAll(() => stopAccountsApp(t));

  describe('sign-up and verification', () => {
    it('when a person signs up, verifies and signs in, then they reach their profile', async () => {
      const agent = agentFor(t.ctx);
      const form = await agent.get('/sign-up');
      expect(form.status).toBe(200);
      expect(form.text).toContain('<label for="password">Password</label>');
      const res = await agent.post('/sign-up', {
        name: 'Amara Okafor',
        email: '  Amara.Okafor@Example.CA ',
        password: 'lantern orchard quietly north',
      });
      expect(res.status).toBe(200);
      expect(res.text).toContain('Check your email');

      const mail = await lastEmailTo(t, 'amara.okafor@example.ca');
      expect(mail.subject).toBe('Confirm your email address');
      expect(mail.text).toContain('Hello Amara Okafor,');
      expect(mail.html).toContain('Confirm my email address');
      const link = linkIn(mail, 'http://agora.test/verify-email/');

      // Before verifying: the right password shows the "confirm first" page, not a session.
      await agent.get('/sign-in');
      const early = await agent.post('/sign-in', {
        email: 'amara.okafor@example.ca',
        password: 'lantern orchard quietly north',
      });
      expect(early.status).toBe(403);
      expect(early.text).toContain('Confirm your email address first');

      const confirm = await agent.get(pathOf(link));
      expect(confirm.status).toBe(200);
      expect(confirm.text).toContain('Confirm my email address');
      expect(confirm.text).toContain('Email address: amara.okafor@example.ca');
      const before = sessionCookieFrom(confirm) ?? '';
      // The link is a capability: pressing its button verifies and signs the owner in, in a new session.
      const verified = await agent.post(pathOf(link));
      expect(verified.status).toBe(303);
      expect(verified.headers.location).toBe('/account?notice=verified');
      const after = sessionCookieFrom(verified);
      expect(after).toBeDefined();
      expect(after).not.toBe(before);
      const landing = await agent.get('/account?notice=verified');
      expect(landing.status).toBe(200);
      expect(landing.text).toContain('Your email address is confirmed and you are signed in.');
      await agent.post('/sign-out');

      await agent.get('/sign-in');
      const signedIn = await agent.post('/sign-in', {
        email: 'AMARA.okafor@example.ca',
        password: 'lantern orchard quietly north',
      });
      expect(signedIn.status).toBe(303);
      expect(signedIn.headers.location).toBe('/account');
      const profile = await agent.get('/profile');
      expect(profile.status).toBe(200);
      expect(profile.text).toContain('value="Amara Okafor"');
      expect(profile.text).toContain('amara.okafor@example.ca');
      const stored = await users().findOne({ email: 'amara.okafor@example.ca' });
      expect(stored?.roles).toEqual(['participant']);
      expect(String(stored?.passwordHash)).toMatch(/^\$argon2id\$/);
    });

    it('when a verification link is used twice, then the second use says the link no longer works', async () => {
      const agent = agentFor(t.ctx);
      await agent.get('/sign-up');
      await agent.post('/sign-up', { name: 'Twice', email: 'twice@example.ca', password: DEFAULT_PASSWORD });
      const link = pathOf(
        linkIn(await lastEmailTo(t, 'twice@example.ca'), 'http://agora.test/verify-email/'),
      );
      await agent.get(link);
      expect((await agent.post(link)).status).toBe(303);
      // (the agent is now signed in, in a new session: a second use comes from another browser)
      const other = agentFor(t.ctx);
      await other.get('/sign-in');
      const again = await other.post(link);
      expect(again.status).toBe(410);
      expect(again.text).toContain('This link no longer works');
      expect((await agent.get(link)).status).toBe(410);
    });

    it('when a verification link is spent, then a second browser using it is not signed in; staff accounts are verified but not signed in', async () => {
      const first = agentFor(t.ctx);
      await first.get('/sign-up');
      await first.post('/sign-up', { name: 'Once', email: 'once@example.ca', password: DEFAULT_PASSWORD });
      const link = pathOf(linkIn(await lastEmailTo(t, 'once@example.ca'), 'http://agora.test/verify-email/'));
      await first.get(link);
      expect((await first.post(link)).headers.location).toBe('/account?notice=verified');
      const second = agentFor(t.ctx);
      await second.get('/sign-in');
      expect((await second.post(link)).status).toBe(410);
      expect((await second.get('/account')).status).toBe(303); // not signed in

      // A staff member's account: the link verifies it, but they sign in with their password.
      const staff = agentFor(t.ctx);
      await staff.get('/sign-up');
      await staff.post('/sign-up', {
        name: 'Staff',
        email: 'staff.verify@example.ca',
        password: DEFAULT_PASSWORD,
      });
      await users().updateOne(
        { email: 'staff.verify@example.ca' },
        { $set: { roles: ['participant', 'officer'] } },
      );
      const staffLink = pathOf(
        linkIn(await lastEmailTo(t, 'staff.verify@example.ca'), 'http://agora.test/verify-email/'),
      );
      await staff.get(staffLink);
      const verified = await staff.post(staffLink);
      expect(verified.headers.location).toBe('/sign-in?notice=verified');
      expect((await staff.get('/officer')).status).toBe(303);
      expect((await users().findOne({ email: 'staff.verify@example.ca' }))?.emailVerifiedAt).toBeInstanceOf(
        Date,
      );
    });

    it('when a verification link has expired, then it is refused and the account stays unverified', async () => {
      const agent = agentFor(t.ctx);
      await agent.get('/sign-up');
      await agent.post('/sign-up', { name: 'Late', email: 'late@example.ca', password: DEFAULT_PASSWORD });
      const link = pathOf(linkIn(await lastEmailTo(t, 'late@example.ca'), 'http://agora.test/verify-email/'));
      await t.ctx.db.connection
        .collection('account_tokens')
        .updateMany({}, { $set: { expiresAt: new Date(Date.now() - 1000) } });
      await agent.get('/sign-in');
      const res = await agent.post(link);
      expect(res.status).toBe(410);
      expect((await users().findOne({ email: 'late@example.ca' }))?.emailVerifiedAt).toBeNull();
    });

    it('when a token is stored, then only its hash is in the database', async () => {
      const agent = agentFor(t.ctx);
      await agent.get('/sign-up');
      await agent.post('/sign-up', { name: 'Hash', email: 'hash@example.ca', password: DEFAULT_PASSWORD });
      const token = linkIn(await lastEmailTo(t, 'hash@example.ca'), 'http://agora.test/verify-email/')
        .split('/')
        .pop();
      const docs = await t.ctx.db.connection.collection('account_tokens').find({}).toArray();
      expect(JSON.stringify(docs)).not.toContain(token);
      expect(docs.every((d) => /^[0-9a-f]{64}$/.test(String(d.tokenHash)))).toBe(true);
    });

    it('when someone signs up with a registered email, then the answer is the same and the owner is told by email', async () => {
      const owner = await createUser(t.ctx, { name: 'Owner Person' });
      const before = await users().findOne({ email: owner.email });

      const fresh = agentFor(t.ctx);
      await fresh.get('/sign-up');
      const forNew = await fresh.post('/sign-up', {
        name: 'Someone',
        email: 'brand.new@example.ca',
        password: 'granite meadow copper sparrow',
      });
      const taken = agentFor(t.ctx);
      await taken.get('/sign-up');
      const forExisting = await taken.post('/sign-up', {
        name: 'Someone',
        email: owner.email,
        password: 'granite meadow copper sparrow',
      });
      expect(forExisting.status).toBe(forNew.status);
      expect(withoutToken(forExisting.text)).toBe(withoutToken(forNew.text));

      const mail = await lastEmailTo(t, owner.email);
      expect(mail.subject).toBe('You already have an account');
      expect(mail.text).toContain('http://agora.test/password-reset');
      const after = await users().findOne({ email: owner.email });
      expect(after?.passwordHash).toBe(before?.passwordHash);
      expect(await users().countDocuments({ email: owner.email })).toBe(1);
    });

    it('when the sign-up form is invalid, then it is shown again with 422, the values kept and nothing saved', async () => {
      const agent = agentFor(t.ctx);
      await agent.get('/sign-up');
      const count = await users().countDocuments();
      const res = await agent.post('/sign-up', { name: '', email: 'not-an-email', password: 'short' });
      expect(res.status).toBe(422);
      expect(res.text).toContain('There are 3 problems');
      expect(res.text).toContain('<a href="#name">Enter your name</a>');
      expect(res.text).toContain('<a href="#email">Enter an email address in the correct format');
      expect(res.text).toContain('<a href="#password">Enter a password of at least 12 characters</a>');
      expect(res.text).toContain('value="not-an-email"');
      expect(res.text).toContain('aria-invalid="true"');
      expect(res.text).not.toContain('value="short"');
      expect(await users().countDocuments()).toBe(count);
    });

    it.each([
      ['qwertyuiop12', 'This password is one of the most common ones'],
      ['jennifer12345', 'This password would be easy to guess'],
    ])('when the password is %p, then sign-up refuses it', async (password, message) => {
      const agent = agentFor(t.ctx);
      await agent.get('/sign-up');
      const res = await agent.post('/sign-up', { name: 'Weak', email: 'weak@example.ca', password });
      expect(res.status).toBe(422);
      expect(res.text).toContain(message);
      expect(await users().countDocuments({ email: 'weak@example.ca' })).toBe(0);
    });

    it('when the sign-up form carries roles, then they are ignored', async () => {
      const agent = agentFor(t.ctx);
      await agent.get('/sign-up');
      await agent.post('/sign-up', {
        name: 'Sneaky',
        email: 'sneaky@example.ca',
        password: DEFAULT_PASSWORD,
        roles: 'admin',
        status: 'active',
        emailVerifiedAt: '2020-01-01',
      });
      const stored = await users().findOne({ email: 'sneaky@example.ca' });
      expect(stored?.roles).toEqual(['participant']);
      expect(stored?.emailVerifiedAt).toBeNull();
    });

    it('when a new verification link is asked for, then the answer does not say whether the address exists', async () => {
      const agent = agentFor(t.ctx);
      await agent.get('/sign-up');
      await agent.post('/sign-up', {
        name: 'Resend',
        email: 'resend@example.ca',
        password: DEFAULT_PASSWORD,
      });
      await agent.get('/verify-email');
      const known = await agent.post('/verify-email', { email: 'resend@example.ca' });
      const unknown = await agent.post('/verify-email', { email: 'nobody-here@example.ca' });
      expect(known.status).toBe(200);
      expect(withoutToken(unknown.text)).toBe(withoutToken(known.text));
      await t.ctx.notifications.drain();
      expect(t.smtp.to('resend@example.ca')).toHaveLength(2);
      expect(t.smtp.to('nobody-here@example.ca')).toHaveLength(0);
    });
  });

  describe('sign-in', () => {
    it('when the password is wrong or the email unknown, then the answer is identical', async () => {
      const user = await createUser(t.ctx);
      const a = agentFor(t.ctx);
      await a.get('/sign-in');
      const wrong = await a.post('/sign-in', { email: user.email, password: 'not the right password' });
      const b = agentFor(t.ctx);
      await b.get('/sign-in');
      const unknown = await b.post('/sign-in', {
        email: 'ghost@example.ca',
        password: 'not the right password',
      });
      expect(wrong.status).toBe(401);
      expect(unknown.status).toBe(401);
      expect(wrong.text).toContain('The email address or password is incorrect');
      expect(withoutToken(unknown.text).replace('ghost@example.ca', 'X')).toBe(
        withoutToken(wrong.text).replace(user.email, 'X'),
      );
    });

    it('when the email is unknown, then sign-in does the same password work as for a wrong password', async () => {
      // Counted, not timed: one argon2id verification of a hash with the same parameters either way, so the
      // answer's timing cannot tell whether an account exists, and no clock makes this test flaky.
      const user = await createUser(t.ctx);
      const verified: string[] = [];
      const counting: PasswordHasher = {
        hash: (password) => argon2Hasher.hash(password),
        verify: (hash, password) => {
          verified.push(hash);
          return argon2Hasher.verify(hash, password);
        },
      };
      const service = new AccountsService({
        connection: t.ctx.db.connection,
        baseUrl: t.ctx.config.baseUrl,
        notifications: t.ctx.notifications,
        logger: pino({ level: 'silent' }),
        passwords: counting,
      });
      const parameters = (hash: string) => hash.split('$').slice(0, 4).join('$');

      expect(await service.verifyCredentials(user.email, 'not the right password')).toEqual({
        outcome: 'invalid',
      });
      expect(verified).toHaveLength(1);
      const knownHash = verified[0] as string;

      for (const email of ['ghost@example.ca', 'ghost2@example.ca']) {
        verified.length = 0;
        expect(await service.verifyCredentials(email, 'not the right password')).toEqual({
          outcome: 'invalid',
        });
        expect(verified).toHaveLength(1);
        expect(parameters(verified[0] as string)).toBe(parameters(knownHash));
        expect(parameters(knownHash)).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1$/);
      }
    });

    it.each([
      ['operator objects', { email: { $ne: null }, password: { $ne: null } }],
      ['a regex operator', { email: { $regex: '.*' }, password: 'x' }],
      ['arrays', { email: ['a@example.ca', 'b@example.ca'], password: ['x', 'y'] }],
      ['a prototype key', JSON.parse('{"__proto__": {"email": "x@example.ca"}, "password": "x"}') as object],
    ])('when a JSON sign-in sends %s, then it is a validation error, not a query', async (_label, body) => {
      await createUser(t.ctx);
      const agent = agentFor(t.ctx);
      const page = await agent.get('/sign-in');
      const token = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1] as string;
      const res = await agent.agent.post('/sign-in').set('X-CSRF-Token', token).send(body);
      expect(res.status).toBe(422);
      expect(res.text).toMatch(/There (is a problem|are 2 problems)/);
      expect((await agent.get('/profile')).status).toBe(303);
    });

    it('when form fields are sent as brackets or repeated, then they are refused as invalid', async () => {
      const user = await createUser(t.ctx);
      const agent = agentFor(t.ctx);
      await agent.get('/sign-in');
      const brackets = await agent.post('/sign-in', { 'email[$ne]': 'x', 'password[$ne]': 'x' });
      expect(brackets.status).toBe(422);
      const repeated = await agent.post('/sign-in', {
        email: [user.email, user.email],
        password: [user.password, user.password],
      });
      expect(repeated.status).toBe(422);
      expect(repeated.text).toContain('<a href="#email">');
    });

    it('when a person signs in, then the session id changes and the old one is worthless (no fixation)', async () => {
      const user = await createUser(t.ctx);
      const agent = agentFor(t.ctx);
      const page = await agent.get('/sign-in');
      const before = sessionCookieFrom(page);
      expect(before).toBeDefined();
      const res = await agent.post('/sign-in', { email: user.email, password: user.password });
      expect(res.status).toBe(303);
      const after = sessionCookieFrom(res);
      expect(after).toBeDefined();
      expect(after).not.toBe(before);
      expect(
        (
          await request(t.ctx.app)
            .get('/profile')
            .set('Cookie', before as string)
        ).status,
      ).toBe(303);
      expect(
        (
          await request(t.ctx.app)
            .get('/profile')
            .set('Cookie', after as string)
        ).status,
      ).toBe(200);
    });

    it('when the session is stored, then it holds only the user id (and the form token)', async () => {
      const user = await createUser(t.ctx);
      const agent = await signIn(t.ctx, user);
      await agent.get('/profile');
      const sessions = await t.ctx.db.connection
        .collection('sessions')
        .find({ 'session.passport.user': user.id })
        .toArray();
      expect(sessions).toHaveLength(1);
      const session = sessions[0]?.session as Record<string, unknown>;
      expect(Object.keys(session).sort()).toEqual(['cookie', 'csrfToken', 'passport']);
      expect(session.passport).toEqual({ user: user.id });
    });

    it.each([
      ['/consultations/budget-2025?tab=survey', '/consultations/budget-2025?tab=survey'],
      ['https://evil.example/phish', '/account'],
      ['//evil.example/phish', '/account'],
      ['/\\evil.example', '/account'],
    ])('when returnTo is %p, then sign-in goes to %p', async (returnTo, expected) => {
      const user = await createUser(t.ctx);
      const agent = agentFor(t.ctx);
      const page = await agent.get(`/sign-in?returnTo=${encodeURIComponent(returnTo)}`);
      if (expected === returnTo) expect(page.text).toContain(`name="returnTo" value="${returnTo}"`);
      const res = await agent.post('/sign-in', { email: user.email, password: user.password, returnTo });
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe(expected);
    });

    it('when a page needs an account, then the visitor is sent to sign in and brought back', async () => {
      const user = await createUser(t.ctx);
      const agent = agentFor(t.ctx);
      const res = await agent.get('/profile/password');
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/sign-in?returnTo=%2Fprofile%2Fpassword');
      await agent.get(res.headers.location as string);
      const signedIn = await agent.post('/sign-in', {
        email: user.email,
        password: user.password,
        returnTo: '/profile/password',
      });
      expect(signedIn.headers.location).toBe('/profile/password');
    });

    it('when a signed-in user signs out, then the session is destroyed and its cookie no longer works', async () => {
      const user = await createUser(t.ctx);
      const agent = agentFor(t.ctx);
      await agent.get('/sign-in');
      const cookie = sessionCookieFrom(
        await agent.post('/sign-in', { email: user.email, password: user.password }),
      );
      const profile = await agent.get('/profile');
      expect(profile.text).toContain('Sign out');
      const out = await agent.post('/sign-out');
      expect(out.status).toBe(303);
      expect(out.headers.location).toBe('/sign-in?notice=signed-out');
      expect(
        await t.ctx.db.connection.collection('sessions').countDocuments({ 'session.passport.user': user.id }),
      ).toBe(0);
      expect(
        (
          await request(t.ctx.app)
            .get('/profile')
            .set('Cookie', cookie as string)
        ).status,
      ).toBe(303);
      const after = await agent.get('/sign-in?notice=signed-out');
      expect(after.text).toContain('You are signed out.');
      expect(after.text).toContain('Create an account');
    });

    it('when a signed-in user loads a page, then the header shows their name, a link to their account and sign-out', async () => {
      const user = await createUser(t.ctx, { name: 'Header Person' });
      const agent = await signIn(t.ctx, user);
      const home = await agent.get('/');
      expect(home.text).toMatch(/<a href="\/account"[^>]*>.*Header Person<\/a>/);
      expect(home.text).toContain('action="/sign-out"');
      expect(home.text).not.toContain('href="/admin/users"');
    });

    it('when a user prefers French, then signing in switches the site to French', async () => {
      const user = await createUser(t.ctx, { locale: 'fr' });
      const agent = await signIn(t.ctx, user);
      const profile = await agent.get('/profile');
      expect(profile.text).toContain('<html lang="fr">');
      expect(profile.text).toContain('Votre profil');
    });
  });
});
