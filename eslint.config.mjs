// Lint rules that keep the codebase's promises true (README "Architecture"): type-aware checks for promises and
// `any`, no unused code, and the feature boundaries — a feature imports another feature only through its index.ts.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

/** Feature folders under src/: each exposes one public entry point, src/<feature>/index.ts. */
const FEATURES = ['auth', 'orgs', 'audit', 'letters', 'dispatch', 'broadcasts', 'reports', 'campaigns', 'jobs', 'overview', 'home', 'signing', 'inbox', 'notifications'];

const boundaryRule = (own) => {
  const others = FEATURES.filter((f) => f !== own).join('|');
  return {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          {
            regex: `^(\\.\\.?/)+(${others})/(?!index$).+`,
            message: 'Import another feature only through its index.ts (its public entry point).',
          },
        ],
      },
    ],
  };
};

export default tseslint.config(
  { ignores: ['jest.transform.js', 'dist/**', 'node_modules/**', 'media/**', 'data/**', 'test-artifacts/**', 'coverage/**', 'public/**', '*.config.js', 'eslint.config.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-unsafe-assignment': 'error',
      '@typescript-eslint/no-unsafe-member-access': 'error',
      '@typescript-eslint/no-unsafe-argument': 'error',
      '@typescript-eslint/no-unsafe-call': 'error',
      '@typescript-eslint/no-unsafe-return': 'error',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/only-throw-error': 'off',
    },
  },
  ...FEATURES.map((f) => ({ files: [`src/${f}/**/*.ts`], rules: boundaryRule(f) })),
  {
    // Shared layers sit below the features: they may not reach into any feature's internals either.
    files: ['src/shared/**/*.ts', 'src/web/**/*.ts', 'src/*.ts', 'src/seed/**/*.ts'],
    rules: boundaryRule(''),
  },
  {
    // Tests and benchmarks poke at responses (supertest bodies are `any`) and at internals on purpose.
    files: ['test/**/*.ts', 'bench/**/*.ts', 'migrations/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
);
