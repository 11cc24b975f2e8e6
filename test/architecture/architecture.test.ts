import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkImport, computedImportsOf, importsOf } from '../../architecture.config.ts';
import { sourceFiles, violationsIn } from './layering-scan.ts';

const root = path.resolve(import.meta.dirname, '../..');

describe('architecture', () => {
  it('every import respects the folder boundaries', () => {
    expect(violationsIn(root)).toEqual([]);
  });

  it('no source file switches the boundary lint off', () => {
    const offenders = sourceFiles(root).filter((file) =>
      /eslint-(disable|enable)[^\n]*(watchkeeper\/layering|no-restricted-imports|import-x\/no-cycle)/.test(
        readFileSync(path.join(root, file), 'utf8'),
      ),
    );
    expect(offenders).toEqual([]);
  });

  it('no source file switches every lint rule off at once (that would include the boundary rule)', () => {
    const offenders = sourceFiles(root).filter((file) =>
      /eslint-disable(-next-line|-line)?\s*(\*\/|-- |$)/m.test(readFileSync(path.join(root, file), 'utf8')),
    );
    expect(offenders).toEqual([]);
  });

  it.each([
    ['core/domain/x.ts', '../../runners/bus/nats-bus.ts', /core\/domain\/ may not depend on runners\//],
    ['core/domain/x.ts', 'node:fs', /core\/domain is pure/],
    ['core/services/x.ts', 'drizzle-orm', /only core\/store may use that package/],
    ['listeners/mcp/x.ts', '../../runners/bus/nats-bus.ts', /listeners\/ may not depend on runners\//],
    ['bot/slack/x.ts', '../../core/store/open-store.ts', /bot\/ may not depend on core\/store\//],
    ['runners/x.ts', '../bot/cli/bin.ts', /runners\/ may not depend on bot\//],
    ['bot/slack/x.ts', '../wiring/runtime.ts', /bot\/ may not depend on bot\/wiring\//],
    [
      'listeners/kube/x.ts',
      '@modelcontextprotocol/sdk/client/index.js',
      /only listeners\/mcp may use that package/,
    ],
    ['core/services/x.ts', '@slack/types', /only bot may use that package/],
    ['listeners/kube/x.ts', '@aws-sdk/client-s3', /only runners may use that package/],
    ['runners/x.ts', '../test/fixtures/domain.ts', /runners\/ may not depend on test\//],
    ['core/domain/x.ts', '../../core/../bot/slack/x.ts', /core\/domain\/ may not depend on bot\//],
    ['core/services/x.ts', '/work/main/bot/slack/x.ts', /an absolute path escapes the folder rules/],
    ['listeners/x.ts', 'file:///work/main/runners/x.ts', /an absolute path escapes the folder rules/],
  ])('the checker catches %s importing %s', (file, specifier, message) => {
    expect(checkImport(file, specifier)).toMatch(message);
  });

  it.each([
    ['bot/wiring/runtime.ts', '../../core/store/open-store.ts'],
    ['runners/bus/nats-bus.ts', '../../core/ports/bus.ts'],
    ['core/store/x.ts', 'drizzle-orm/pg-core'],
  ])('the checker allows %s importing %s', (file, specifier) => {
    expect(checkImport(file, specifier)).toBeUndefined();
  });

  it('finds static, re-export, type-only and dynamic imports', () => {
    const source = `import a from './a.ts';\nimport type { B } from "./b.ts";\nexport { c } from './c.ts';\nconst d = await import('./d.ts');\nimport './e.ts';`;
    expect(importsOf(source)).toEqual(['./a.ts', './b.ts', './c.ts', './d.ts', './e.ts']);
    expect(importsOf("const f = require('./f.ts');\nconst g = await import(`./g.ts`);")).toEqual([
      './f.ts',
      './g.ts',
    ]);
  });

  it('counts the imports no rule can check (a computed specifier)', () => {
    const source =
      "import(name);\nimport('./a.ts');\nrequire(`./b.ts`);\nrequire(path);\nmodule.require(x);\nimport(\n  './c.ts'\n);";
    expect(computedImportsOf(source)).toBe(2);
  });
});
