// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { importX } from 'eslint-plugin-import-x';

/** Folder import rules; `test/architecture.test.ts` re-derives the same matrix from the sources. */
const adapterFolders = ['listeners', 'runners', 'core/store', 'bot', 'prompts', 'skills', 'test'];

/** @param {string[]} folders @param {string} why */
const forbid = (folders, why) =>
  folders.flatMap((folder) => [
    { group: [`**/${folder}/**`, `**/${folder}`], message: `${why} (${folder}/ is off limits here)` },
  ]);

export default tseslint.config(
  { ignores: ['node_modules/', 'migrations/', '.watchkeeper/', 'coverage/', 'runners/pod/dist/'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  ...tseslint.configs.stylisticTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['*.js'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    plugins: { 'import-x': importX },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
      // @kubernetes/client-node models are classes that are meant to be filled with object literals.
      '@typescript-eslint/no-unsafe-class-instance-assignment': 'off',
      '@typescript-eslint/no-misused-spread': [
        'error',
        {
          allow: [
            {
              from: 'package',
              package: '@kubernetes/client-node',
              name: ['V1Pod', 'V1Node', 'V1Job', 'V1ObjectMeta', 'V1ConfigMap', 'V1Secret'],
            },
          ],
        },
      ],
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-duplicates': 'error',
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportAllDeclaration', message: 'Use explicit named exports, not export *.' },
        { selector: 'TSEnumDeclaration', message: 'Use string-literal unions instead of enums.' },
      ],
    },
  },
  // Small plain-JavaScript entry scripts (the CLI launcher, the sandbox guard, test agents): no type information.
  { files: ['**/*.mjs'], ...tseslint.configs.disableTypeChecked },
  {
    files: ['**/*.mjs'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        setTimeout: 'readonly',
      },
    },
  },
  {
    files: ['core/**/*.ts'],
    ignores: ['core/store/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...forbid(
              adapterFolders,
              'core/ depends on nothing outside core; put adapters in their own folder',
            ),
            {
              group: ['drizzle-orm', 'drizzle-orm/*', 'postgres', '@electric-sql/*'],
              message: 'Database code lives in core/store/.',
            },
            {
              group: ['@slack/*', '@nats-io/*', '@aws-sdk/*', '@kubernetes/*', '@modelcontextprotocol/*'],
              message: 'SDKs belong in adapters, not core/.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['core/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...forbid(['core/services', 'core/ports', ...adapterFolders], 'core/domain is pure'),
            { group: ['node:*'], message: 'core/domain is pure: no Node I/O modules.' },
            {
              group: [
                'drizzle-orm',
                'drizzle-orm/*',
                'postgres',
                '@electric-sql/*',
                '@slack/*',
                '@nats-io/*',
                '@aws-sdk/*',
                '@kubernetes/*',
                '@modelcontextprotocol/*',
              ],
              message: 'core/domain is pure: no SDKs.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['core/store/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: forbid(['listeners', 'runners', 'bot', 'test'], 'core/store implements core ports only'),
        },
      ],
    },
  },
  {
    files: ['listeners/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: forbid(
            ['runners', 'bot', 'core/store', 'test'],
            'listeners/ talk to core only; wiring happens in bot/wiring',
          ),
        },
      ],
    },
  },
  {
    files: ['runners/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: forbid(
            ['listeners', 'bot', 'core/store', 'test'],
            'runners/ talk to core only; wiring happens in bot/wiring',
          ),
        },
      ],
    },
  },
  {
    files: ['bot/**/*.ts'],
    ignores: ['bot/wiring/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: forbid(
            ['listeners', 'runners', 'core/store', 'test'],
            'only bot/wiring imports adapters',
          ),
        },
      ],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
);
