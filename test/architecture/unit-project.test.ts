/**
 * The `unit` vitest project runs with no harness: its tests (and the test helpers they import) may not reach for
 * a service, start a process or open a socket. A test that needs one belongs under test/<area>/ instead.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { importsOf } from '../../architecture.config.ts';
import { allTests, unitTests } from '../../vitest.config.ts';

const root = path.resolve(import.meta.dirname, '../..');

const forbidden = [
  {
    pattern: /^node:(child_process|net|http|https|http2|dgram|cluster|worker_threads)$/,
    why: 'starts a process or opens a socket',
  },
  {
    pattern: /(^|\/)harness\/(use|global-setup|start|process)\.ts$|(^|\/)harness\/services\//,
    why: 'needs the harness',
  },
];

function unitTestFiles(): string[] {
  return unitTests
    .map((glob) => glob.replace(/\/\*\*\/\*\.test\.ts$/, ''))
    .filter((folder) => existsSync(path.join(root, folder)))
    .flatMap((folder) =>
      readdirSync(path.join(root, folder), { recursive: true, encoding: 'utf8' })
        .filter((f) => f.endsWith('.test.ts'))
        .map((f) => path.join(folder, f).split(path.sep).join('/')),
    );
}

/** Test-side files a unit test reaches (itself and the helpers under test/ it imports, transitively). */
function testSideClosure(start: string): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  const queue = [start];
  for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
    if (seen.has(file)) continue;
    const specifiers = importsOf(readFileSync(path.join(root, file), 'utf8'));
    seen.set(file, specifiers);
    for (const s of specifiers.filter((s) => s.startsWith('.'))) {
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), s));
      // (strings in a test's own samples can look like imports: only files that exist are followed)
      if (target.startsWith('test/') && existsSync(path.join(root, target))) queue.push(target);
    }
  }
  return seen;
}

// Our globs are all `<folder>/**/*.test.ts`: a folder prefix and a file suffix.
const matches = (glob: string, file: string): boolean => {
  const [folder, suffix] = glob.split('/**/*');
  return (
    folder !== undefined && suffix !== undefined && file.startsWith(`${folder}/`) && file.endsWith(suffix)
  );
};

describe('the unit project', () => {
  it('together with the integration project, runs every test file in the repository', () => {
    expect([...allTests, ...unitTests].every((glob) => /^[\w/-]+\/\*\*\/\*\.test\.ts$/.test(glob))).toBe(
      true,
    );
    const skipped = new Set(['node_modules', '.git', '.watchkeeper', 'coverage']);
    const everyTest = readdirSync(root, { withFileTypes: true })
      .filter((e) => e.isDirectory() && !skipped.has(e.name))
      .flatMap((e) =>
        readdirSync(path.join(root, e.name), { recursive: true, encoding: 'utf8' }).map(
          (f) => `${e.name}/${f}`,
        ),
      )
      .map((f) => f.split(path.sep).join('/'))
      .filter((f) => f.endsWith('.test.ts'));
    const unrun = everyTest.filter((f) => ![...allTests, ...unitTests].some((glob) => matches(glob, f)));
    expect(unrun).toEqual([]);
    expect(everyTest.length).toBeGreaterThan(70);
  });

  const files = unitTestFiles();

  it('finds the pure tests', () => {
    expect(files).toContain('test/core/lifecycle.test.ts');
    expect(files).toContain('test/architecture/unit-project.test.ts');
    expect(files.length).toBeGreaterThan(10);
  });

  it('holds no test that needs a service, a process or a socket', () => {
    const offenders = files.flatMap((test) =>
      [...testSideClosure(test)].flatMap(([file, specifiers]) =>
        specifiers.flatMap((s) => {
          const target = s.startsWith('.') ? path.posix.join(path.posix.dirname(file), s) : s;
          const hit = forbidden.find((f) => f.pattern.test(path.posix.normalize(target)));
          return hit ? [`${test}: ${file} imports ${s} (${hit.why})`] : [];
        }),
      ),
    );
    expect(offenders).toEqual([]);
  });
});
