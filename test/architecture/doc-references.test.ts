import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sourceFiles } from './layering-scan.ts';
import {
  bareFileNamesIn,
  citationsIn,
  commentsOf,
  declaredNames,
  pathExists,
  pathsIn,
  read,
} from './references.ts';

const root = path.resolve(import.meta.dirname, '../..');

const docs = [
  'REVIEW.md',
  ...readdirSync(path.join(root, 'docs'), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f.split(path.sep).join('/')}`),
];

const testFiles = readdirSync(path.join(root, 'test'), { recursive: true, withFileTypes: true })
  .filter((e) => e.isFile() && /\.(ts|mts|mjs|js)$/.test(e.name))
  .map((e) => path.relative(root, path.join(e.parentPath, e.name)).split(path.sep).join('/'));

describe('references in prose', () => {
  it('every `path#name` in the docs names a file that declares it', () => {
    const citations = docs.flatMap((doc) => citationsIn(read(root, doc)).map((c) => ({ doc, ...c })));
    expect(citations.length).toBeGreaterThan(40);
    const declared = new Map<string, Set<string>>();
    const namesOf = (file: string): Set<string> => {
      let names = declared.get(file);
      if (!names) declared.set(file, (names = declaredNames(read(root, file), file)));
      return names;
    };
    const wrong = citations
      .filter((c) => !pathExists(root, c.doc, c.file) || !namesOf(c.file).has(c.name))
      .map((c) => `${c.doc}:${String(c.line)}: ${c.file}#${c.name}`);
    expect(wrong).toEqual([]);
  });

  it('every repository path the docs mention exists', () => {
    const missing = docs.flatMap((doc) =>
      pathsIn(read(root, doc))
        .filter((m) => !pathExists(root, doc, m.path))
        .map((m) => `${doc}:${String(m.line)}: ${m.path}`),
    );
    expect(missing).toEqual([]);
  });

  it('every path a source or test comment points at exists (inside the repository)', () => {
    const missing = [...sourceFiles(root), ...testFiles].flatMap((file) => {
      const text = read(root, file);
      // Only files that mention a missing path at all are parsed for their comments (import specifiers resolve).
      if (pathsIn(text).every((m) => pathExists(root, file, m.path))) return [];
      return commentsOf(text, file).flatMap((comment) =>
        pathsIn(comment.text, comment.line)
          .filter((m) => !pathExists(root, file, m.path))
          .map((m) => `${file}:${String(m.line)}: ${m.path}`),
      );
    });
    expect(missing).toEqual([]);
  });

  it('every source file a comment names without a folder exists somewhere in the repository', () => {
    const all = [...sourceFiles(root), ...testFiles];
    const names = new Set(
      [...sourceFiles(root, { generated: true }), ...testFiles].map((f) => path.posix.basename(f)),
    );
    const missing = all.flatMap((file) => {
      const text = read(root, file);
      if (bareFileNamesIn(text).every((m) => names.has(m.path))) return [];
      return commentsOf(text, file).flatMap((comment) =>
        bareFileNamesIn(comment.text, comment.line)
          .filter((m) => !names.has(m.path))
          .map((m) => `${file}:${String(m.line)}: ${m.path}`),
      );
    });
    expect(missing).toEqual([]);
  });

  it('the checks see what they are meant to see', () => {
    expect(bareFileNamesIn('see real-node-host.ts and ./x.ts, not a/b.ts or x.json')).toEqual([
      { line: 1, path: 'real-node-host.ts' },
    ]);
    expect(citationsIn('see `core/x.ts#run` and `a.ts#b`')).toEqual([
      { line: 1, file: 'core/x.ts', name: 'run' },
    ]);
    expect(
      declaredNames('export function a() { const b = () => 1; return { c() {}, d: 2 }; }\nclass E {}'),
    ).toEqual(new Set(['a', 'b', 'c', 'd', 'E']));
    expect(
      pathsIn('see ../shared/notes/mcp.md and core/domain/fault.ts, not https://x.io/core/a.ts'),
    ).toEqual([
      { line: 1, path: '../shared/notes/mcp.md' },
      { line: 1, path: 'core/domain/fault.ts' },
    ]);
    const code = "// one\nconst a = '// not a comment'; /* two */\nfunction f() {\n  g();\n  // three\n}\n";
    expect(commentsOf(code).map((c) => c.text)).toEqual(['// one', '/* two */', '// three']);
    expect(pathExists(root, 'listeners/mcp/event-store.ts', '../shared/notes/mcp.md')).toBe(false);
    expect(pathExists(root, 'core/ports/bus.ts', './subjects.ts')).toBe(true);
  });
});
