import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  checkImport,
  computedImportMessage,
  computedImportsOf,
  importsOf,
} from '../../architecture.config.ts';

/** The folders whose imports the matrix governs (tests may import anything). */
export const sourceFolders = ['core', 'bot', 'listeners', 'runners', 'prompts', 'skills'] as const;

const sourceExtensions = ['.ts', '.mts', '.js', '.mjs'];
/** Generated bundles (checked fresh against their sources elsewhere); ESLint ignores them too. */
const generated = ['runners/pod/dist/'];

/** Repo-relative paths of the source files under `root`, in the governed folders (generated ones on request). */
export function sourceFiles(root: string, options: { readonly generated?: boolean } = {}): string[] {
  return sourceFolders.flatMap((folder) =>
    readdirSync(path.join(root, folder), { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && sourceExtensions.some((ext) => e.name.endsWith(ext)))
      .map((e) => path.relative(root, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
      .filter((file) => options.generated === true || !generated.some((prefix) => file.startsWith(prefix))),
  );
}

/** Every import under `root` that breaks the matrix, as the messages ESLint's watchkeeper/layering reports. */
export function violationsIn(root: string): string[] {
  return sourceFiles(root).flatMap((file) => {
    const source = readFileSync(path.join(root, file), 'utf8');
    return [
      ...importsOf(source)
        .map((specifier) => checkImport(file, specifier))
        .filter((v) => v !== undefined),
      ...Array.from({ length: computedImportsOf(source) }, () => computedImportMessage(file)),
    ];
  });
}
