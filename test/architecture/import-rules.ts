import path from 'node:path';

/**
 * The dependency rules of the codebase, independent of ESLint: arrows point inward to core/domain, and only
 * the composition root (bot/wiring, started by bot/cli) sees adapters. Areas are matched longest-prefix first.
 */
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

/** Packages only some areas (or folders) may use; anything else is free. */
const packageOwners: Record<string, readonly string[]> = {
  'drizzle-orm': ['core/store'],
  postgres: ['core/store'],
  '@electric-sql/pglite': ['core/store'],
  '@slack/bolt': ['bot'],
  '@slack/web-api': ['bot'],
  // The SDK lives in one folder, so the move to protocol 2026-07-28 (subscriptions/listen) touches only it.
  '@modelcontextprotocol/sdk': ['listeners/mcp'],
  '@nats-io/transport-node': ['runners', 'listeners'],
  '@nats-io/jetstream': ['runners', 'listeners'],
  // Minting per-run credentials is the runners' job (runners/bus/run-credentials.ts).
  '@nats-io/jwt': ['runners'],
  '@nats-io/nkeys': ['runners'],
  '@aws-sdk/client-s3': ['runners'],
  '@aws-sdk/s3-request-presigner': ['runners'],
  '@kubernetes/client-node': ['listeners', 'runners'],
};

export function areaOf(file: string): Area | undefined {
  const normalized = file.split(path.sep).join('/');
  return areas.find((area) => normalized === area || normalized.startsWith(`${area}/`));
}

function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

/** A violation message, or undefined when `file` (repo-relative) may import `specifier`. */
export function checkImport(file: string, specifier: string): string | undefined {
  const from = areaOf(file);
  if (from === undefined || from === 'test') return undefined;
  if (specifier.startsWith('.')) {
    const target = path.posix.normalize(
      path.posix.join(path.posix.dirname(file.split(path.sep).join('/')), specifier),
    );
    const to = areaOf(target);
    if (to === undefined || allowed[from].includes(to)) return undefined;
    return `${file} imports ${specifier}: ${from}/ may not depend on ${to}/`;
  }
  if (specifier.startsWith('node:')) {
    return from === 'core/domain'
      ? `${file} imports ${specifier}: core/domain is pure (no Node I/O)`
      : undefined;
  }
  const owners = packageOwners[packageName(specifier)];
  const where = file.split(path.sep).join('/');
  const owner =
    owners?.some((o) => from === o || from.startsWith(`${o}/`) || where.startsWith(`${o}/`)) ?? true;
  return owner
    ? undefined
    : `${file} imports ${specifier}: only ${owners?.join(', ') ?? ''} may use that package`;
}

const importPattern =
  /(?:^|[\s;])(?:import|export)\s(?:[^'"]*?\sfrom\s)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm;

export function importsOf(source: string): string[] {
  return [...source.matchAll(importPattern)].map((m) => m[1] ?? m[2] ?? '').filter((s) => s !== '');
}
