import { ConfigError, loadConfig } from '.';

const base = { NODE_ENV: 'test', SESSION_SECRET: 'x'.repeat(32), DATA_DIR: '/tmp/agora-config-test' };

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('when nothing is set, then it uses the documented defaults and the embedded database', () => {
    const config = loadConfig(base);
    expect(config.port).toBe(3000);
    expect(config.baseUrl).toBe('http://localhost:3000');
    expect(config.mongodbUri).toBeUndefined();
    expect(config.trustProxy).toBe('loopback');
    expect(config.logLevel).toBe('info');
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('when PORT is not a number, then the error names PORT and the bad value', () => {
    const [problem] = problemsOf({ ...base, PORT: 'abc' });
    expect(problem).toMatch(/^PORT: must be a whole number between 0 and 65535 \(got "abc"\)$/);
  });

  it('when several variables are wrong, then every one is named', () => {
    const problems = problemsOf({ ...base, PORT: '70000', LOG_LEVEL: 'loud', MONGODB_URI: 'postgres://x' });
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual(['LOG_LEVEL', 'MONGODB_URI', 'PORT']);
  });

  it('when production has no SESSION_SECRET or BASE_URL, then it refuses to start', () => {
    const problems = problemsOf({ NODE_ENV: 'production', DATA_DIR: '/tmp/x' });
    expect(problems.join('\n')).toMatch(/SESSION_SECRET: is required in production/);
    expect(problems.join('\n')).toMatch(/BASE_URL: is required in production/);
  });

  it('when the session secret is short, then it is refused', () => {
    expect(problemsOf({ ...base, SESSION_SECRET: 'short' })[0]).toMatch(
      /^SESSION_SECRET: must be at least 32/,
    );
  });

  it('when TRUST_PROXY is a hop count or a list, then it is passed on as such', () => {
    expect(loadConfig({ ...base, TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ ...base, TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadConfig({ ...base, TRUST_PROXY: 'loopback, 10.0.0.0/8' }).trustProxy).toBe(
      'loopback, 10.0.0.0/8',
    );
    expect(problemsOf({ ...base, TRUST_PROXY: 'yes please!' })[0]).toMatch(/^TRUST_PROXY:/);
  });

  it('when BASE_URL has a trailing slash, then it is removed; a non-http URL is refused', () => {
    expect(loadConfig({ ...base, BASE_URL: 'https://engage.example.ca/' }).baseUrl).toBe(
      'https://engage.example.ca',
    );
    expect(problemsOf({ ...base, BASE_URL: 'ftp://x.example' })[0]).toMatch(/^BASE_URL:/);
  });

  it('when MONGODB_URI is set, then it is used as given', () => {
    const uri = 'mongodb+srv://user:pw@cluster.example.net/agora?retryWrites=true';
    expect(loadConfig({ ...base, MONGODB_URI: uri }).mongodbUri).toBe(uri);
  });
});
