/**
 * Pointers in prose that must stay true: `path#name` citations in the docs (the file exists and declares `name`)
 * and repository paths in docs and in source comments (the file exists). Used by doc-references.test.ts.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/** Top-level folders and root files a repository path in prose can start with. */
const repoRoots = [
  'bot',
  'core',
  'listeners',
  'runners',
  'prompts',
  'skills',
  'test',
  'docs',
  'deploy',
  'migrations',
];

/** `path/to/file.ts#name` inside backticks. */
const citationPattern = /`((?:[\w.-]+\/)+[\w.-]+\.(?:ts|mts|mjs|js))#([\w$]+)`/g;

/** A repo-relative path (starting at a known root folder) or a `./`/`../` path, ending in a file extension. */
const pathPattern = new RegExp(
  String.raw`(?<![\w@/.:-])((?:\.\.?/)+[\w.-]+(?:/[\w.-]+)*|(?:${repoRoots.join('|')})/[\w.-]+(?:/[\w.-]+)*)\.(ts|mts|mjs|js|md|json|ya?ml|sh|sql)(?![\w/-])`,
  'g',
);

/** A syntax tree only (no parent links, no JSDoc parsing): enough for names and comments, and cheap. */
function parse(source: string, file: string): ts.SourceFile {
  return ts.createSourceFile(
    file,
    source,
    { languageVersion: ts.ScriptTarget.Latest, jsDocParsingMode: ts.JSDocParsingMode.ParseNone },
    false,
  );
}

export interface Citation {
  readonly line: number;
  readonly file: string;
  readonly name: string;
}

export function citationsIn(markdown: string): Citation[] {
  return markdown
    .split('\n')
    .flatMap((text, i) =>
      [...text.matchAll(citationPattern)].map((m) => ({ line: i + 1, file: m[1] ?? '', name: m[2] ?? '' })),
    );
}

/** Names a file declares at any depth: functions, classes, variables, methods, object properties, types. */
export function declaredNames(source: string, file = 'x.ts'): Set<string> {
  const names = new Set<string>();
  const visit = (node: ts.Node): void => {
    if (
      (ts.isFunctionDeclaration(node) ||
        ts.isClassDeclaration(node) ||
        ts.isVariableDeclaration(node) ||
        ts.isMethodDeclaration(node) ||
        ts.isPropertyAssignment(node) ||
        ts.isPropertyDeclaration(node) ||
        ts.isInterfaceDeclaration(node) ||
        ts.isTypeAliasDeclaration(node)) &&
      node.name !== undefined &&
      (ts.isIdentifier(node.name) || ts.isStringLiteral(node.name))
    ) {
      names.add(node.name.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(parse(source, file));
  return names;
}

export interface PathMention {
  readonly line: number;
  readonly path: string;
}

/** Paths mentioned in `text`, each with its line number. */
export function pathsIn(text: string, firstLine = 1): PathMention[] {
  return text.split('\n').flatMap((line, i) =>
    [...line.matchAll(pathPattern)].map((m) => ({
      line: firstLine + i,
      path: `${m[1] ?? ''}.${m[2] ?? ''}`,
    })),
  );
}

const bareNamePattern = /(?<![\w/.@-])([\w-]+\.(?:ts|mts|mjs))(?![\w/-])/g;

/** Bare source file names (`real-node-host.ts`) mentioned in `text`, each with its line number. */
export function bareFileNamesIn(text: string, firstLine = 1): PathMention[] {
  return text
    .split('\n')
    .flatMap((line, i) =>
      [...line.matchAll(bareNamePattern)].map((m) => ({ line: firstLine + i, path: m[1] ?? '' })),
    );
}

/** The comments of a source file (from the parser, so never text inside a string), each with its first line. */
export function commentsOf(source: string, file = 'x.ts'): { line: number; text: string }[] {
  const sourceFile = parse(source, file);
  const seen = new Map<number, string>();
  const collectAt = (pos: number): void => {
    for (const r of [
      ...(ts.getLeadingCommentRanges(source, pos) ?? []),
      ...(ts.getTrailingCommentRanges(source, pos) ?? []),
    ]) {
      seen.set(r.pos, source.slice(r.pos, r.end));
    }
  };
  const visit = (node: ts.Node): void => {
    collectAt(node.getFullStart());
    let lastChildEnd = node.getFullStart();
    ts.forEachChild(node, (child) => {
      visit(child);
      lastChildEnd = child.getEnd();
    });
    collectAt(lastChildEnd); // comments before a closing brace belong to no child
    collectAt(node.getEnd());
  };
  visit(sourceFile);
  return [...seen]
    .sort(([a], [b]) => a - b)
    .map(([pos, text]) => ({ line: sourceFile.getLineAndCharacterOfPosition(pos).line + 1, text }));
}

/** Whether a mentioned path exists, read from the repo root or from the mentioning file's folder. */
export function pathExists(root: string, mentionedIn: string, mentioned: string): boolean {
  const candidates = mentioned.startsWith('.')
    ? [path.join(root, path.dirname(mentionedIn), mentioned)]
    : [path.join(root, mentioned), path.join(root, path.dirname(mentionedIn), mentioned)];
  return candidates.some((c) => c.startsWith(root + path.sep) && existsSync(c));
}

export function read(root: string, file: string): string {
  return readFileSync(path.join(root, file), 'utf8');
}
