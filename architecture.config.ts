/**
 * The import matrix of the codebase, the one source both ESLint (`watchkeeper/layering` in eslint.config.js) and
 * `test/architecture` read: arrows point inward to core/domain, and only the composition root (bot/wiring,
 * started by bot/cli) sees adapters. A violation reads the same in the editor, in `npm run lint` and in the
 * architecture test, because all three call `checkImport`.
 */
import path from 'node:path';

/** Areas, matched longest-prefix first (so `bot/wiring` before `bot`). */
const areas = [
  'core/domain',
  'core/ports',
  'core/services',
  'core/store',
  'bot/wiring',
  'bot/cli',
  'bot',
  'listeners',
  'runners',
  'prompts',
  'skills',
  'migrations',
  'test',
] as const;
export type Area = (typeof areas)[number];

/** Which areas each area may import (relative imports). */
const allowed: Record<Area, readonly Area[]> = {
  'core/domain': ['core/domain'],
  'core/ports': ['core/domain', 'core/ports'],
  'core/services': ['core/domain', 'core/ports', 'core/services'],
  'core/store': ['core/domain', 'core/ports', 'core/store'],
  bot: ['core/domain', 'core/ports', 'core/services', 'bot'],
  // The entry point starts the composition root.
  'bot/cli': ['core/domain', 'core/ports', 'core/services', 'bot', 'bot/cli', 'bot/wiring'],
  'bot/wiring': [
    'core/domain',
    'core/ports',
    'core/services',
    'core/store',
    'bot',
    'bot/wiring',
    'listeners',
    'runners',
    'prompts',
    'skills',
  ],
  listeners: ['core/domain', 'core/ports', 'core/services', 'listeners'],
  runners: ['core/domain', 'core/ports', 'core/services', 'runners', 'prompts', 'skills'],
  prompts: ['core/domain', 'prompts'],
  skills: ['skills'],
  migrations: [],
  test: areas,
};

/** What to do instead, per importing area: the second half of every violation message. */
const remedies: Record<Area, string> = {
  'core/domain': 'core/domain is pure: move the shared type or function into core/domain',
  'core/ports': 'ports see only the domain: declare what you need as a type in core/ports or core/domain',
  'core/services':
    'services see only core/domain and core/ports: declare a port and let bot/wiring pass the adapter in',
  'core/store': 'the store implements core/ports: depend on the port, not on its callers',
  bot: 'only bot/wiring sees adapters: take the dependency as a parameter and wire it in bot/wiring',
  'bot/cli': 'the CLI starts bot/wiring and nothing else: wire adapters there',
  'bot/wiring': 'the composition root may import anything of ours except test/',
  listeners: 'listeners talk to core only: call a core/services function, wired in bot/wiring',
  runners: 'runners talk to core, prompts/ and skills/ only: wire other adapters in bot/wiring',
  prompts: 'prompts are text plus core/domain types',
  skills: 'skills are self-contained bundles shipped into agent runs',
  migrations: 'nothing imports migrations; they are applied at start-up',
  test: 'tests may import anything',
};

/**
 * Packages (or `@scope/*`) only some areas or folders may use; any other package is free. A package whose
 * owner list names a folder (`listeners/mcp`) is confined to that folder, so an SDK upgrade touches one place.
 */
const packageOwners: Record<string, readonly string[]> = {
  'drizzle-orm': ['core/store'],
  postgres: ['core/store'],
  '@electric-sql/*': ['core/store'],
  '@slack/*': ['bot'],
  // The SDK lives in one folder, so the move to protocol 2026-07-28 (subscriptions/listen) touches only it.
  '@modelcontextprotocol/*': ['listeners/mcp'],
  '@nats-io/*': ['runners', 'listeners'],
  '@aws-sdk/*': ['runners'],
  '@kubernetes/*': ['listeners', 'runners'],
};

function posix(file: string): string {
  return file.split(path.sep).join('/');
}

/** The area of a repo-relative path, or undefined outside the checked folders (root configs, docs). */
export function areaOf(file: string): Area | undefined {
  const normalized = posix(file);
  return areas.find((area) => normalized === area || normalized.startsWith(`${area}/`));
}

function ownersOf(specifier: string): readonly string[] | undefined {
  const parts = specifier.split('/');
  if (specifier.startsWith('@'))
    return packageOwners[`${parts[0] ?? ''}/*`] ?? packageOwners[parts.slice(0, 2).join('/')];
  return packageOwners[parts[0] ?? specifier];
}

/**
 * The violation message, or undefined when `file` (repo-relative) may import `specifier`. The message names the
 * file, the import, the rule broken and what to do instead.
 */
export function checkImport(file: string, specifier: string): string | undefined {
  const from = areaOf(file);
  if (from === undefined || from === 'test') return undefined;
  const where = posix(file);
  if (specifier.startsWith('.')) {
    const to = areaOf(path.posix.normalize(path.posix.join(path.posix.dirname(where), specifier)));
    if (to === undefined || allowed[from].includes(to)) return undefined;
    return `${where} imports ${specifier}: ${from}/ may not depend on ${to}/ (${remedies[from]})`;
  }
  if (specifier.startsWith('/') || specifier.startsWith('file:')) {
    return `${where} imports ${specifier}: an absolute path escapes the folder rules (import it by a relative path)`;
  }
  if (specifier.startsWith('node:')) {
    return from === 'core/domain'
      ? `${where} imports ${specifier}: core/domain is pure, no Node I/O (${remedies[from]})`
      : undefined;
  }
  const owners = ownersOf(specifier);
  if (owners === undefined || owners.some((o) => where.startsWith(`${o}/`))) return undefined;
  return `${where} imports ${specifier}: only ${owners.join(', ')} may use that package (wrap it in an adapter there and depend on a core/ports interface)`;
}

/** The message for an import whose specifier is computed at run time, so no rule can check it. */
export function computedImportMessage(file: string): string {
  return `${posix(file)} imports a computed specifier: architecture.config.ts cannot check it (import a literal path)`;
}

const importPattern =
  /(?:^|[\s;])(?:import|export)\s(?:[^'"]*?\sfrom\s)?['"]([^'"]+)['"]|(?:\bimport|\brequire)\(\s*['"`]([^'"`$]+)['"`]\s*\)/gm;

/** Dynamic imports and `require` calls whose argument is not a plain string. */
const computedPattern = /(?:\bimport|(?<![.\w])require)\(\s*(?!\s|['"][^'"]*['"]\s*\)|`[^`$]*`\s*\))/g;

/**
 * The module specifiers of a source text: static, type-only, re-export, side-effect and dynamic imports and
 * `require` calls.
 */
export function importsOf(source: string): string[] {
  return [...source.matchAll(importPattern)].map((m) => m[1] ?? m[2] ?? '').filter((s) => s !== '');
}

/** How many dynamic imports or `require` calls of `source` take a computed specifier. */
export function computedImportsOf(source: string): number {
  return [...source.matchAll(computedPattern)].length;
}
