import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';
import globals from 'globals';

// A module reaches another only through its index.ts: `../accounts` yes, `../accounts/users.service` no; nothing
// in a module imports src/app.ts or the composition root. Tests may reach inside (they test the parts).
const INTO_SIBLING_MODULE = {
  regex: '^\\.\\./[^./][^/]*/.+',
  message: 'Import another module through its index.ts (e.g. ../accounts), not its files.',
};
const INTO_MODULE_FILES = {
  regex: '(^|/)modules/[^/]+/.+',
  message: 'Import a module through its index.ts (e.g. ./modules/accounts), not its files.',
};
const UP_TO_APP = {
  regex: '^(\\.\\./)+(app|composition-root|server)$',
  message: 'Modules and platform do not import the app; shared types live in src/platform.',
};

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'data/', '.tools/', 'coverage/', 'test-results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
      eqeqeq: ['error', 'always'],
    },
  },
  {
    // Type-aware rules: a promise is awaited, returned or explicitly `void`ed, never used as a condition, and only
    // thenables are awaited. Async callbacks as arguments are allowed: Express 5 sends a handler's rejection to the
    // error handler.
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/await-thenable': 'error',
    },
  },
  {
    files: ['src/modules/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [INTO_SIBLING_MODULE, UP_TO_APP] }] },
  },
  {
    // A form handler shows its form again through the one helper, not its own try/catch (which drifted: statuses,
    // kept values, what else was caught).
    files: ['src/modules/**/*.routes.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "BinaryExpression[operator='instanceof'][right.name='ValidationError']",
          message:
            'Show a form again with rerenderOnValidationError(action, rerender) from src/platform/http/form-errors.ts.',
        },
      ],
    },
  },
  {
    files: ['src/*.ts', 'src/demo/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [INTO_MODULE_FILES] }] },
  },
  {
    // Platform is shared plumbing: it imports no module and not the app.
    files: ['src/platform/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [UP_TO_APP, { regex: '(^|/)modules(/|$)', message: 'Platform imports no module.' }] },
      ],
    },
  },
  {
    files: ['public/js/**/*.js'],
    languageOptions: { globals: { ...globals.browser }, sourceType: 'script' },
  },
  {
    files: ['**/*.cjs', 'test/support/*.js'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  prettier,
);
