/**
 * `npm run bench:store`: idempotent fault ingest into the store, on PGlite (a folder, as the embedded default)
 * and on the harness's real PostgreSQL. Prints readable figures, then one JSON line with them all.
 * BENCH_FAULTS (default 5000) and BENCH_CONCURRENCY (default 16) tune the run.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type OpenedStore, type StoreOptions } from '../../core/store/open-store.ts';
import { concurrently } from '../fixtures/concurrently.ts';
import { makeFault } from '../fixtures/domain.ts';
import { withBenchDatabase } from './bench-database.ts';

const faultCount = Number(process.env.BENCH_FAULTS ?? 5000);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 16);

interface Figures {
  readonly faultsPerSecond: number;
  readonly duplicatesPerSecond: number;
  readonly stored: number;
}

async function inParallel<T>(items: readonly T[], work: (item: T) => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await concurrently(items, concurrency, work);
  return (performance.now() - started) / 1000;
}

async function measure(label: string, options: StoreOptions): Promise<Figures> {
  const store: OpenedStore = await openStore(options);
  try {
    const faults = Array.from({ length: faultCount }, (_, i) =>
      makeFault({ cluster: 'bench', faultId: `bench-${i}-${randomUUID()}` }),
    );
    const firstPass = await inParallel(faults, (fault) => store.faults.record(fault));
    const replay = await inParallel(faults, (fault) => store.faults.record(fault));
    const stored = await store.faults.count({ cluster: 'bench' });
    if (stored !== faultCount) throw new Error(`${label}: stored ${stored} faults, expected ${faultCount}`);
    const figures = {
      faultsPerSecond: Math.round(faultCount / firstPass),
      duplicatesPerSecond: Math.round(faultCount / replay),
      stored,
    };
    console.log(
      `${label.padEnd(10)} ${String(figures.faultsPerSecond).padStart(7)} new faults/s   ` +
        `${String(figures.duplicatesPerSecond).padStart(7)} replayed (duplicate) faults/s   ${stored} stored`,
    );
    return figures;
  } finally {
    await store.close();
  }
}

console.log(
  `store bench: ${faultCount} faults, ${concurrency} in flight, each recorded twice (new, then replay)`,
);
const folder = await mkdtemp(join(tmpdir(), 'wk-bench-'));
let pglite: Figures;
try {
  pglite = await measure('PGlite', { kind: 'pglite', dataDir: folder });
} finally {
  await rm(folder, { recursive: true, force: true });
}
const pg = await withBenchDatabase((url) => measure('PostgreSQL', { kind: 'postgres', url }));
const goal = 2000;
console.log(`goal on PostgreSQL: >= ${goal} faults/s: ${pg.faultsPerSecond >= goal ? 'met' : 'NOT met'}`);
console.log(
  JSON.stringify({
    bench: 'store',
    faults: faultCount,
    concurrency,
    pglite_faults_per_s: pglite.faultsPerSecond,
    pglite_duplicates_per_s: pglite.duplicatesPerSecond,
    postgres_faults_per_s: pg.faultsPerSecond,
    postgres_duplicates_per_s: pg.duplicatesPerSecond,
  }),
);
