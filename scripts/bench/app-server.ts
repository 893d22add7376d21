/**
 * The app as the bench runs it: the real server entry (src/server.ts: config from the environment, MONGODB_URI
 * pointing at the bench's FerretDB), plus one guard: it exits when its stdin closes, i.e. when the bench that
 * started it is gone, so a crashed bench leaves no server behind.
 */
process.stdin.on('end', () => process.exit(1));
process.stdin.resume();

// eslint-disable-next-line @typescript-eslint/no-require-imports
require('../../src/server');
