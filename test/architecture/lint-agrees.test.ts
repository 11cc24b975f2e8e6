/**
 * ESLint (`watchkeeper/layering`) and the architecture scan read one matrix, architecture.config.ts: a throwaway
 * copy of the repo's lint setup, seeded with misplaced imports, must fail both with the same messages.
 */
import { copyFile, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { violationsIn } from './layering-scan.ts';

const root = path.resolve(import.meta.dirname, '../..');

/** Files of the throwaway tree: each `probe` breaks one rule, `ok` files import only what they may. */
const tree: Record<string, string> = {
  'bot/slack/x.ts': 'export const x = 1;\n',
  'bot/wiring/x.ts': "import { w } from '../../runners/w.ts';\nexport const wired = w;\n",
  'core/domain/probe.ts': "import { x } from '../../bot/slack/x.ts';\nexport const y = x;\n",
  'core/domain/pure.ts': "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n",
  'core/services/probe.ts': "export { sql } from 'drizzle-orm';\n",
  'core/store/x.ts': 'export const s = 1;\n',
  'listeners/kube/probe.ts': "import type { W } from '../../runners/w.ts';\nexport type L = W;\n",
  'runners/w.ts': 'export const w = 1;\nexport type W = number;\n',
  'runners/probe.ts':
    "export async function load(): Promise<unknown> {\n  return import('../listeners/kube/probe.ts');\n}\n",
  'bot/slack/probe.ts': "import { s } from '../../core/store/x.ts';\nexport const t = s;\n",
  'core/ports/required.ts':
    "import { createRequire } from 'node:module';\nconst require = createRequire(import.meta.url);\nexport const b: unknown = require('../../bot/slack/x.ts');\n",
  'core/services/computed.ts': 'export const load = (name: string): Promise<unknown> => import(name);\n',
  'runners/fine.ts': 'export const later = (): Promise<unknown> => import(`./w.ts`);\n',
};

let copy: string;

beforeAll(async () => {
  copy = await mkdtemp(path.join(tmpdir(), 'watchkeeper-layering-'));
  for (const file of ['eslint.config.js', 'architecture.config.ts', 'tsconfig.json', 'package.json']) {
    await copyFile(path.join(root, file), path.join(copy, file));
  }
  await symlink(path.join(root, 'node_modules'), path.join(copy, 'node_modules'), 'dir');
  for (const folder of ['prompts', 'skills']) await mkdir(path.join(copy, folder));
  for (const [file, text] of Object.entries(tree)) {
    await mkdir(path.dirname(path.join(copy, file)), { recursive: true });
    await writeFile(path.join(copy, file), text);
  }
});

afterAll(async () => {
  await rm(copy, { recursive: true, force: true });
});

describe('lint and the architecture test agree', () => {
  it('report every misplaced import with the same message', async () => {
    // The repo's own config, minus the type-aware setup (a TypeScript program would cost ~20 s here); only the
    // boundary rule runs, so what is compared is exactly what `npm run lint` reports for these imports.
    const eslint = new ESLint({
      cwd: copy,
      overrideConfig: tseslint.configs.disableTypeChecked,
      ruleFilter: ({ ruleId }) => ruleId === 'watchkeeper/layering',
    });
    const results = await eslint.lintFiles(Object.keys(tree));
    const lint = results
      .flatMap((r) => r.messages)
      .filter((m) => m.ruleId === 'watchkeeper/layering')
      .map((m) => m.message)
      .sort();
    const scan = violationsIn(copy).sort();

    expect(lint).toEqual(scan);
    // Each message names the file, the import and the rule, then says what to do instead (in parentheses).
    expect(scan.map((m) => m.replace(/ \([^()]+\)$/, ''))).toEqual([
      'bot/slack/probe.ts imports ../../core/store/x.ts: bot/ may not depend on core/store/',
      'core/domain/probe.ts imports ../../bot/slack/x.ts: core/domain/ may not depend on bot/',
      'core/domain/pure.ts imports node:fs: core/domain is pure, no Node I/O',
      'core/ports/required.ts imports ../../bot/slack/x.ts: core/ports/ may not depend on bot/',
      'core/services/computed.ts imports a computed specifier: architecture.config.ts cannot check it',
      'core/services/probe.ts imports drizzle-orm: only core/store may use that package',
      'listeners/kube/probe.ts imports ../../runners/w.ts: listeners/ may not depend on runners/',
      'runners/probe.ts imports ../listeners/kube/probe.ts: runners/ may not depend on listeners/',
    ]);
    for (const message of scan) expect(message).toMatch(/ \([^()]{20,}\)$/);
  }, 60_000);
});
