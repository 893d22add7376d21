// Lets a child `node` process run the TypeScript sources directly (`node -r ./test/support/register-ts.js src/server.ts`),
// so process-level tests (start-up, shutdown) exercise the current code, not a stale build.
const fs = require('node:fs');
const { transformSync } = require('@swc/core');

require.extensions['.ts'] = function compileTypeScript(module, filename) {
  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), {
    filename,
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  });
  module._compile(code, filename);
};
