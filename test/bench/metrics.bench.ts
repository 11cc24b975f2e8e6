/**
 * `npm run bench:metrics`: what Prometheus metrics cost on the intake hot path. Faults per second through the
 * whole intake (dedup, correlation, PostgreSQL) with metrics off and on, in alternating rounds on fresh databases
 * (alternating which goes first; the median of each, so a noisy neighbour on the machine hurts both alike; goal: on is < 5 % slower); the
 * recording cost alone per fault; and one full scrape (process metrics and the store-read gauges included).
 * BENCH_FAULTS (default 3000) distinct faults a round, BENCH_ROUNDS (default 4) rounds of each. Last line: JSON.
 */
import { uuidV7Gen } from '../../bot/wiring/uuid-v7.ts';
import { createMetricsRegistry } from '../../bot/metrics/metrics-registry.ts';
import { systemClock } from '../../core/ports/clock.ts';
import type { Metrics } from '../../core/ports/metrics.ts';
import { createFaultIntake } from '../../core/services/fault-intake.ts';
import { defaultIncidentSettings } from '../../core/services/incident-settings.ts';
import { createLifecycleService } from '../../core/services/lifecycle-service.ts';
import { openStore } from '../../core/store/open-store.ts';
import { createMemoryBus } from '../../runners/bus/memory-bus.ts';
import { makeFault } from '../fixtures/domain.ts';
import { silentLogger } from '../fixtures/logger.ts';
import { ingestConcurrently, shuffle } from '../incidents/storm-scenario.ts';
import { withBenchDatabase } from './bench-database.ts';

const faultCount = Number(process.env.BENCH_FAULTS ?? 3000);
const rounds = Number(process.env.BENCH_ROUNDS ?? 4);
const concurrency = 16;
const workloads = 50;

const faults = shuffle(
  Array.from({ length: faultCount }, (_, i) =>
    makeFault({
      faultId: `bench-${i}`,
      resource: {
        apiVersion: 'v1',
        kind: 'Pod',
        namespace: 'bench',
        name: `web-${i % workloads}-abc-${i}`,
        uid: `u${i}`,
      },
      context: { node: `node-${i % 20}`, owners: [{ kind: 'Deployment', name: `web-${i % workloads}` }] },
    }),
  ),
);

const median = (values: readonly number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

/** One round: every fault through a fresh intake on a fresh database; faults/s, and the scrape time when on. */
async function round(
  withMetrics: boolean,
): Promise<{ perSecond: number; scrapeMs?: number; scrapeBytes?: number }> {
  return withBenchDatabase(async (url) => {
    const store = await openStore({ kind: 'postgres', url, maxConnections: concurrency });
    try {
      const registry = withMetrics ? createMetricsRegistry() : undefined;
      const bus = createMemoryBus();
      const lifecycle = createLifecycleService({ store, bus, logger: silentLogger });
      const intake = createFaultIntake({
        store,
        bus,
        clock: systemClock,
        ids: uuidV7Gen,
        logger: silentLogger,
        lifecycle,
        settings: defaultIncidentSettings,
        ...(registry && { metrics: registry.metrics }),
      });
      const started = performance.now();
      await ingestConcurrently(intake, faults, concurrency);
      const perSecond = Math.round(faultCount / ((performance.now() - started) / 1000));
      if (!registry) return { perSecond };
      registry.addStateGauges({
        store,
        clock: systemClock,
        breaker: defaultIncidentSettings.breaker,
        listeners: () => [{ name: 'bench', status: 'connected' }],
        logger: silentLogger,
      });
      await registry.render(); // the first scrape warms up the queries
      const scrapeStarted = performance.now();
      const { body } = await registry.render();
      return { perSecond, scrapeMs: performance.now() - scrapeStarted, scrapeBytes: body.length };
    } finally {
      await store.close();
    }
  });
}

/** The recording alone: what one settled fault costs with metrics on (no database, no intake). */
function recordNanoseconds(metrics: Metrics): number {
  const count = 200_000;
  const started = process.hrtime.bigint();
  for (let i = 0; i < count; i += 1)
    metrics.faultSettled(faults[i % faults.length] ?? makeFault(), i % 3 === 0 ? 'new' : 'joined');
  return Number(process.hrtime.bigint() - started) / count;
}

const off: number[] = [];
const on: number[] = [];
let scrape = { ms: NaN, bytes: 0 };
await round(false); // warm-up: JIT, the database server's caches
for (let i = 0; i < rounds; i += 1) {
  // which goes first alternates: the database server still settles the previous round's dropped database
  for (const withMetrics of i % 2 === 0 ? [false, true] : [true, false]) {
    const result = await round(withMetrics);
    (withMetrics ? on : off).push(result.perSecond);
    if (withMetrics) scrape = { ms: result.scrapeMs ?? NaN, bytes: result.scrapeBytes ?? 0 };
  }
  console.log(`round ${i + 1}: metrics off ${off.at(-1)} faults/s, on ${on.at(-1)} faults/s`);
}
const offMedian = median(off);
const onMedian = median(on);
const slowdownPct = Math.round(((offMedian - onMedian) / offMedian) * 1000) / 10;
const recordNs = Math.round(recordNanoseconds(createMetricsRegistry().metrics));
// the recording's share of one fault's time through intake: free of the machine's noise, unlike the rounds
const recordSharePct = Math.round(((recordNs * offMedian) / 1e9) * 100 * 1000) / 1000;
console.log(
  `intake with metrics off: ${offMedian} faults/s, on: ${onMedian} faults/s (median of ${rounds}; ${slowdownPct} % slower; goal < 5 %: ${slowdownPct < 5 ? 'met' : 'NOT met'})`,
);
console.log(
  `recording one settled fault: ${recordNs} ns; one scrape: ${scrape.ms.toFixed(1)} ms, ${scrape.bytes} bytes`,
);
console.log(
  JSON.stringify({
    bench: 'metrics',
    faults: faultCount,
    rounds,
    faults_per_s_metrics_off: offMedian,
    faults_per_s_metrics_on: onMedian,
    slowdown_pct: slowdownPct,
    record_ns_per_fault: recordNs,
    record_share_pct: recordSharePct,
    scrape_ms: Math.round(scrape.ms * 10) / 10,
    scrape_bytes: scrape.bytes,
  }),
);
process.exit(0);
