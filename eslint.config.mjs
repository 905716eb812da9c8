// Lint for the whole tree (system/ and harness/): ESLint's recommended rules, typescript-eslint's strict-type-checked
// rules, and a few stylistic checks Prettier (.prettierrc.json, `npm run format:check`) does not make. CI runs both.
import js from '@eslint/js';
import stylistic from '@stylistic/eslint-plugin';
import tseslint from 'typescript-eslint';

const root = import.meta.dirname;

export default tseslint.config(
  { ignores: ['node_modules/**', 'reports/**', 'data/**', 'system/worker/dist/**', '**/*.mjs', '**/*.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  { languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: root } } },
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // Numbers, booleans, null/undefined and regexps print as expected in messages; objects still need String()/JSON.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true, allowNullish: true, allowRegExp: true }],
      // noUncheckedIndexedAccess makes `xs[i]!` (after a bounds check) the honest assertion, not a smell.
      '@typescript-eslint/no-non-null-assertion': 'off',
      // `() => void f()` and `(x) => log(x)` shorthands return nothing anyone reads.
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true, ignoreVoidOperator: true }],
      // AbortSignal.reason is typed `any`; rejecting with it is the platform's convention (fetch, timers/promises).
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingAny: true }],
      // `x as never` satisfies any type and checks nothing: type the value, or cast to the type it is.
      'no-restricted-syntax': ['error', { selector: 'TSAsExpression > TSNeverKeyword', message: 'No `as never`: give the value its real type.' }],
      // `_name` marks a binding kept for its position (destructuring rest, callback signature).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },
  {
    files: ['**/*.test.ts', '**/*.test-helper.ts', '**/test-helpers.ts'],
    rules: {
      // Vitest types its asymmetric matchers (expect.objectContaining, expect.any, …) as `any`, and tests nest them in
      // expected values; reading an `any` (member access, call, argument, return) is still an error in tests.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      // `async () => x.close()` is how a test hands over a promise-returning stub or cleanup; `async` also turns a
      // synchronous throw into the rejection the cleanup loop catches.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    plugins: { '@stylistic': stylistic },
    rules: {
      // A message stays one string (a user greps the code for the text they saw); prettier (160) wraps everything else.
      '@stylistic/max-len': [
        'error',
        { code: 160, tabWidth: 2, ignoreUrls: true, ignoreRegExpLiterals: true, ignoreStrings: true, ignoreTemplateLiterals: true },
      ],
      '@stylistic/quotes': ['error', 'single', { avoidEscape: true, allowTemplateLiterals: 'avoidEscape' }],
      '@stylistic/semi': ['error', 'always'],
      '@stylistic/comma-dangle': ['error', 'always-multiline'],
      '@stylistic/no-trailing-spaces': 'error',
      '@stylistic/eol-last': 'error',
      '@stylistic/no-multiple-empty-lines': ['error', { max: 1, maxEOF: 0, maxBOF: 0 }],
      '@stylistic/no-tabs': 'error',
    },
  },
);
