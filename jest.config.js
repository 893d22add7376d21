/** @type {import('jest').Config} */
const swc = [
  '@swc/jest',
  {
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  },
];

// Packages published as ES modules only (marked; sanitize-html's htmlparser2 and its dom* and entities). Node 24
// require()s them natively; Jest's CommonJS runtime does that only under --experimental-vm-modules, so here they
// are compiled to CommonJS like our own files, and `npx jest` works without flags.
const ESM_ONLY = [
  'marked',
  'htmlparser2',
  'domhandler',
  'domutils',
  'dom-serializer',
  'entities',
  'domelementtype',
];
const swcJs = [
  '@swc/jest',
  { jsc: { parser: { syntax: 'ecmascript' }, target: 'es2022' }, module: { type: 'commonjs' } },
];

const common = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': swc, '^.+\\.js$': swcJs },
  transformIgnorePatterns: [`/node_modules/(?!(${ESM_ONLY.join('|')})/)`],
};

module.exports = {
  // Two projects: `npm run test:unit` (jest --selectProjects unit) needs no database and runs in seconds;
  // `npm test` runs both. Jest runs a project's global setup only when one of its tests is selected.
  projects: [
    {
      ...common,
      displayName: 'unit',
      roots: ['<rootDir>/src'],
      testMatch: ['**/*.test.ts'],
    },
    {
      ...common,
      displayName: 'integration',
      roots: ['<rootDir>/test'],
      testMatch: ['**/*.test.ts'],
      // One FerretDB for the whole run; each test file gets a database of its own (test/support/database.ts).
      globalSetup: '<rootDir>/test/global-setup.ts',
      globalTeardown: '<rootDir>/test/global-teardown.ts',
    },
  ],
  // Generous: the suite must pass on a busy 2-core machine; no test asserts on speed.
  testTimeout: 120000,
  maxWorkers: 2,
  verbose: false,
};
