// @ts-check
import path from 'node:path';
import js from '@eslint/js';
import { importX } from 'eslint-plugin-import-x';
import { tsImport } from 'tsx/esm/api';
import tseslint from 'typescript-eslint';

/** @type {typeof import('./architecture.config.ts')} The import matrix, shared with test/architecture. */
const { checkImport, computedImportMessage } = await tsImport('./architecture.config.ts', import.meta.url);

/**
 * `watchkeeper/layering`: every import is checked by architecture.config.ts, so lint and test/architecture
 * report a misplaced import with the same message.
 * @type {import('eslint').Rule.RuleModule}
 */
const layering = {
  meta: {
    type: 'problem',
    schema: [],
    docs: { description: 'folder import rules of architecture.config.ts' },
  },
  create(context) {
    const file = path.relative(import.meta.dirname, context.filename);
    /** @param {import('estree').Node} node @param {unknown} specifier */
    const check = (node, specifier) => {
      if (typeof specifier !== 'string') return;
      const message = checkImport(file, specifier);
      if (message !== undefined) context.report({ node, message });
    };
    /** A string literal or a template without substitutions; undefined for anything computed. */
    const literal = (/** @type {import('estree').Node} */ node) =>
      node.type === 'Literal' && typeof node.value === 'string'
        ? node.value
        : node.type === 'TemplateLiteral' && node.expressions.length === 0
          ? node.quasis[0]?.value.cooked
          : undefined;
    /** @param {import('estree').Node} node @param {import('estree').Node | undefined} source */
    const checkDynamic = (node, source) => {
      const specifier = source && literal(source);
      if (specifier === undefined || specifier === null)
        context.report({ node, message: computedImportMessage(file) });
      else check(node, specifier);
    };
    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => check(node, node.source?.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      ImportExpression: (node) => checkDynamic(node, node.source),
      CallExpression: (node) => {
        if (node.callee.type === 'Identifier' && node.callee.name === 'require') {
          const [first] = node.arguments;
          checkDynamic(node, first?.type === 'SpreadElement' ? undefined : first);
        }
      },
    };
  },
};

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
    plugins: { 'import-x': importX, watchkeeper: { rules: { layering } } },
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
      'watchkeeper/layering': 'error',
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
