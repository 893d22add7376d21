import { createUserCommand, parseCreateUserArgs } from '../../scripts/create-user';
import { ValidationError } from '../../src/platform/errors';
import { signIn } from '../support/factories/users';
import { startAccountsApp, stopAccountsApp, type AccountsTestContext } from './helpers';

describe('the user:create command', () => {
  let t: AccountsTestContext;

  beforeAll(async () => {
    t = await startAccountsApp();
  });
  afterAll(() => stopAccountsApp(t));

  it('when arguments are given, then they are parsed and checked', () => {
    expect(
      parseCreateUserArgs(['--email', 'Ada@Example.CA', '--name', 'Ada Lovelace', '--role', 'admin']),
    ).toEqual({
      email: 'ada@example.ca',
      name: 'Ada Lovelace',
      roles: ['admin'],
      locale: 'en',
    });
    expect(
      parseCreateUserArgs(['--email=a@b.ca', '--name=A', '--role=officer', '--role=analyst', '--locale=fr']),
    ).toMatchObject({ roles: ['officer', 'analyst'], locale: 'fr' });
    expect(() => parseCreateUserArgs(['--email', 'a@b.ca', '--name', 'A', '--role', 'root'])).toThrow(
      'Unknown role(s): root',
    );
    expect(() => parseCreateUserArgs(['--email', 'nope', '--name', 'A'])).toThrow(
      '--email must be an email address',
    );
    expect(() => parseCreateUserArgs(['--password', 'x'])).toThrow('Unknown argument: --password');
  });

  it('when an admin is created, then they can sign in at once, reach the admin pages and the creation is audited', async () => {
    const args = parseCreateUserArgs([
      '--email',
      'first.admin@example.ca',
      '--name',
      'First Admin',
      '--role',
      'admin',
    ]);
    const message = await createUserCommand(args, 'quartz lantern under pine', {
      connection: t.ctx.db.connection,
      baseUrl: t.ctx.config.baseUrl,
    });
    expect(message).toMatch(/^Created first\.admin@example\.ca \(participant, admin\)/);
    const agent = await signIn(t.ctx, {
      email: 'first.admin@example.ca',
      password: 'quartz lantern under pine',
    });
    expect((await agent.get('/admin/users')).status).toBe(200);
    const audit = await agent.get('/admin/audit');
    expect(audit.text).toContain('Command line');
    expect(audit.text).toContain('Created the account with roles: Participant, Administrator');
  });

  it('when the email is taken or the password weak, then nothing is created and the reason is given', async () => {
    const args = parseCreateUserArgs(['--email', 'dup@example.ca', '--name', 'Dup']);
    const deps = { connection: t.ctx.db.connection, baseUrl: t.ctx.config.baseUrl };
    await createUserCommand(args, 'quartz lantern under pine', deps);
    await expect(createUserCommand(args, 'quartz lantern under pine', deps)).rejects.toBeInstanceOf(
      ValidationError,
    );
    const weak = parseCreateUserArgs(['--email', 'weak.admin@example.ca', '--name', 'Weak']);
    await expect(createUserCommand(weak, 'password1234', deps)).rejects.toBeInstanceOf(ValidationError);
    expect(
      await t.ctx.db.connection.collection('users').countDocuments({ email: 'weak.admin@example.ca' }),
    ).toBe(0);
  });
});
