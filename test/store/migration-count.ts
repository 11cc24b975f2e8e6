import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { migrationsFolder } from '../../core/store/migrations.ts';

/** How many migrations `migrations/` holds: a fresh database applies all of them. */
export function migrationCount(): number {
  const journal = JSON.parse(readFileSync(join(migrationsFolder, 'meta', '_journal.json'), 'utf8')) as {
    entries: unknown[];
  };
  return journal.entries.length;
}
