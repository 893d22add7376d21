import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ROOT } from '../../src/platform/paths';

/** Runs a few lines in a child node process with the handlers installed, as src/server.ts installs them. */
function runChild(body: string) {
  const script = `
    const { exitOnUnhandledErrors } = require('./src/platform/crash-handlers.ts');
    const { createLogger } = require('./src/platform/logger.ts');
    exitOnUnhandledErrors(createLogger('info'));
    setTimeout(() => { console.log('still running'); process.exit(0); }, 5000);
    ${body}
  `;
  return spawnSync(process.execPath, ['-r', path.join(ROOT, 'test/support/register-ts.js'), '-e', script], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  });
}

function fatalLines(stdout: string) {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { level: number; msg: string; err?: { message: string } })
    .filter((entry) => entry.level === 60);
}

describe('a process-level failure', () => {
  it('when a promise is rejected with no handler, then it is logged and the process exits with 1', () => {
    const child = runChild(`Promise.reject(new Error('boom in a promise'));`);
    expect(child.status).toBe(1);
    expect(child.stdout).not.toContain('still running');
    const [entry] = fatalLines(child.stdout);
    expect(entry?.msg).toBe('unhandled promise rejection; exiting');
    expect(entry?.err?.message).toBe('boom in a promise');
  });

  it('when an exception is thrown and not caught, then it is logged and the process exits with 1', () => {
    const child = runChild(`setImmediate(() => { throw new Error('boom in a callback'); });`);
    expect(child.status).toBe(1);
    const [entry] = fatalLines(child.stdout);
    expect(entry?.msg).toBe('uncaught exception; exiting');
    expect(entry?.err?.message).toBe('boom in a callback');
  });

  it('when nothing fails, then the process keeps running', () => {
    const child = runChild(`Promise.reject(new Error('handled')).catch(() => undefined);`);
    expect(child.status).toBe(0);
    expect(child.stdout).toContain('still running');
    expect(fatalLines(child.stdout)).toEqual([]);
  });
});
