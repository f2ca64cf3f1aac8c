// @ts-check
import js from '@eslint/js';
import prettier from 'eslint-config-prettier/flat';
import { defineConfig, globalIgnores } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  globalIgnores(['dist/', 'node_modules/', 'coverage/', 'data/', 'bench/results/']),
  js.configs.recommended,
  // Syntax-only rules: no type information, so a lint run costs seconds, not a full type-check (tsc does that).
  tseslint.configs.recommended,
  {
    rules: {
      // `== null` is the one loose comparison worth keeping: it covers null and undefined together.
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: {
      // Logs go through the pino logger so they carry the request id; main.ts prints before the logger exists.
      'no-console': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/**/*.spec.ts'],
    rules: {
      // A file past 400 lines is doing more than one job; every line counts, so comments cannot hide it.
      'max-lines': ['error', { max: 400, skipBlankLines: false, skipComments: false }],
    },
  },
  {
    files: ['src/main.ts'],
    rules: { 'no-console': 'off' },
  },
  {
    // Plain CommonJS scripts run by node directly (bench/baseline-server.js, config files).
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: globals.node },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['**/*.mjs'],
    languageOptions: { sourceType: 'module', globals: globals.node },
  },
  // Last, so formatting is Prettier's alone and no ESLint rule argues with it.
  prettier,
);
