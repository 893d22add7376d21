import { agentFor, createUser, signIn, type TestUser } from '../support/factories/users';
import { startAccountsApp, stopAccountsApp, type AccountsTestContext } from './helpers';

describe('administration of users and roles', () => {
  let t: AccountsTestContext;
  let admin: TestUser;

  beforeAll(async () => {
    t = await startAccountsApp();
    admin = await createUser(t.ctx, { name: 'Ada Admin', email: 'ada.admin@example.ca', roles: ['admin'] });
  });
  afterAll(() => stopAccountsApp(t));

  it('when an anonymous visitor opens an admin page, then they are sent to sign in', async () => {
    const res = await agentFor(t.ctx).get('/admin/users');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/sign-in?returnTo=%2Fadmin%2Fusers');
  });

  it.each(['participant', 'officer', 'analyst'] as const)(
    'when a %s opens the admin pages, then access is denied',
    async (role) => {
      const user = await createUser(t.ctx, { roles: role === 'participant' ? [] : [role] });
      const agent = await signIn(t.ctx, user);
      expect((await agent.get('/admin/users')).status).toBe(403);
      expect((await agent.get('/admin/audit')).status).toBe(403);
      expect((await agent.get('/')).text).not.toContain('href="/admin/users"');
    },
  );

  it('when an admin lists and searches users, then matching users are shown', async () => {
    await createUser(t.ctx, { name: 'Zed Searchable', email: 'zed.searchable@example.ca' });
    const agent = await signIn(t.ctx, admin);
    const home = await agent.get('/');
    expect(home.text).toContain('href="/admin/users"');
    const list = await agent.get('/admin/users');
    expect(list.status).toBe(200);
    expect(list.text).toContain('ada.admin@example.ca');
    const search = await agent.get('/admin/users?q=SEARCHABLE');
    expect(search.text).toContain('zed.searchable@example.ca');
    expect(search.text).not.toContain('ada.admin@example.ca');
    const literal = await agent.get(`/admin/users?q=${encodeURIComponent('.*')}`);
    expect(literal.status).toBe(200);
    expect(literal.text).toContain('No users match.');
    const byRole = await agent.get('/admin/users?role=admin');
    expect(byRole.text).toContain('ada.admin@example.ca');
    expect(byRole.text).not.toContain('zed.searchable@example.ca');
  });

  it('when an admin grants a role, then it applies on the user’s next request and is in the audit log', async () => {
    const user = await createUser(t.ctx, { name: 'Olivia Officer' });
    const userAgent = await signIn(t.ctx, user);
    expect((await userAgent.get('/admin/users')).status).toBe(403);

    const agent = await signIn(t.ctx, admin);
    await agent.get(`/admin/users/${user.id}`);
    const res = await agent.post(`/admin/users/${user.id}/roles`, { roles: ['officer', 'admin'] });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/admin/users/${user.id}?notice=roles`);
    const page = await agent.get(`/admin/users/${user.id}?notice=roles`);
    expect(page.text).toContain('The roles were saved.');
    expect(page.text).toMatch(/id="role-officer" name="roles" value="officer" checked/);
    // The header still shows who is signed in, not the user being edited.
    expect(page.text).toMatch(/<a href="\/account"[^>]*>.*Ada Admin<\/a>/);
    expect(page.text).not.toMatch(/<a href="\/account"[^>]*>.*Olivia Officer<\/a>/);

    // The user's existing session sees the new role at once.
    expect((await userAgent.get('/admin/users')).status).toBe(200);

    const audit = await agent.get('/admin/audit');
    expect(audit.text).toContain(
      'Changed roles from Participant to Administrator, Engagement officer, Participant',
    );
    expect(audit.text).toContain('ada.admin@example.ca');
    expect(audit.text).toContain(user.email);
    const entry = await t.ctx.db.connection.collection('audit').findOne({ action: 'user.roles_changed' });
    expect(entry).toMatchObject({ actorEmail: admin.email, targetEmail: user.email });
    expect(entry?.at).toBeInstanceOf(Date);
  });

  it('when an admin tries to remove their own admin role, then it is refused', async () => {
    const agent = await signIn(t.ctx, admin);
    await agent.get(`/admin/users/${admin.id}`);
    const res = await agent.post(`/admin/users/${admin.id}/roles`, { roles: ['officer'] });
    expect(res.status).toBe(422);
    expect(res.text).toContain('<a href="#roles">You cannot remove your own administrator role');
    expect((await agent.get('/admin/users')).status).toBe(200);
  });

  it('when an unknown role is sent, then it is a validation error and nothing changes', async () => {
    const user = await createUser(t.ctx);
    const agent = await signIn(t.ctx, admin);
    await agent.get(`/admin/users/${user.id}`);
    const res = await agent.post(`/admin/users/${user.id}/roles`, { roles: ['superuser'] });
    expect(res.status).toBe(422);
    expect(res.text).toContain('Choose roles from the list');
  });

  it('when the user id is malformed or unknown, then the answer is 404', async () => {
    const agent = await signIn(t.ctx, admin);
    expect((await agent.get('/admin/users/not-an-id')).status).toBe(404);
    expect((await agent.get('/admin/users/0123456789abcdef01234567')).status).toBe(404);
  });

  it('when an admin deactivates a signed-in user, then their next request is anonymous and they cannot sign in', async () => {
    const user = await createUser(t.ctx, { name: 'Dana Deactivated' });
    const userAgent = await signIn(t.ctx, user);
    expect((await userAgent.get('/profile')).status).toBe(200);

    const agent = await signIn(t.ctx, admin);
    await agent.get(`/admin/users/${user.id}`);
    // the account page links to a confirmation; a POST without it deactivates nothing
    const confirm = await agent.get(`/admin/users/${user.id}/deactivate`);
    expect(confirm.text).toContain('<h1>Deactivate the account of Dana Deactivated?</h1>');
    const unconfirmed = await agent.post(`/admin/users/${user.id}/deactivate`);
    expect(unconfirmed.headers.location).toBe(`/admin/users/${user.id}/deactivate`);
    expect((await userAgent.get('/profile')).status).toBe(200);
    const res = await agent.post(`/admin/users/${user.id}/deactivate`, { confirm: 'yes' });
    expect(res.status).toBe(303);
    expect((await agent.get(`/admin/users/${user.id}`)).text).toContain('Deactivated');

    expect((await userAgent.get('/profile')).status).toBe(303);
    const again = agentFor(t.ctx);
    await again.get('/sign-in');
    const refused = await again.post('/sign-in', { email: user.email, password: user.password });
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('This account has been deactivated');

    await agent.post(`/admin/users/${user.id}/reactivate`);
    await signIn(t.ctx, user);
    const audit = await agent.get(`/admin/users/${user.id}`);
    expect(audit.text).toContain('Deactivated the account');
    expect(audit.text).toContain('Reactivated the account');
  });

  it('when a deactivated user’s session is still stored, then deserialising refuses it (the check is per request)', async () => {
    const user = await createUser(t.ctx);
    const userAgent = await signIn(t.ctx, user);
    // Deactivate behind the app's back, leaving the session in place: the per-request load must still refuse it.
    await t.ctx.db.connection
      .collection('users')
      .updateOne({ email: user.email }, { $set: { status: 'deactivated' } });
    expect((await userAgent.get('/profile')).status).toBe(303);
  });

  it('when an admin tries to deactivate themselves, then it is refused', async () => {
    const agent = await signIn(t.ctx, admin);
    const page = await agent.get(`/admin/users/${admin.id}`);
    expect(page.text).toContain('You cannot deactivate your own account.');
    const res = await agent.post(`/admin/users/${admin.id}/deactivate`);
    expect(res.status).toBe(403);
  });

  it('when the admin pages are shown in French, then roles and actions are translated', async () => {
    const agent = await signIn(t.ctx, admin);
    await agent.agent.get('/?lang=fr');
    const audit = await agent.get('/admin/audit');
    expect(audit.text).toContain('Journal d&#39;audit');
    expect(audit.text).toContain('Agent de mobilisation');
    await agent.agent.get('/?lang=en');
  });
});
