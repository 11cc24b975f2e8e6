/**
 * `npm run bench:incidents`: faults per second through dedup + correlation + persist on the harness's real
 * PostgreSQL, and the storm figures (1,051 faults → 11 incidents). Last line: one JSON object.
 * BENCH_FAULTS (default 5000) distinct faults over 50 Deployments (the headline figure), then over 500 (a harder
 * mix: one new incident per 10 faults); BENCH_CONCURRENCY (default 16) callers at once.
 */
import { openStore } from '../../core/store/open-store.ts';
import { makeFault } from '../fixtures/domain.ts';
import { withBenchDatabase } from './bench-database.ts';
import { incidentServices } from '../incidents/incident-harness.ts';
import { buildStorm, ingestConcurrently, shuffle, stormOrder } from '../incidents/storm-scenario.ts';

const faultCount = Number(process.env.BENCH_FAULTS ?? 5000);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 16);

/** `faultCount` distinct pod faults spread over `workloads` Deployments (one incident each). */
async function throughput(workloads: number): Promise<number> {
  return withBenchDatabase(async (url) => {
    const store = await openStore({ kind: 'postgres', url, maxConnections: concurrency });
    try {
      const { intake } = incidentServices(store);
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
            context: {
              node: `node-${i % 20}`,
              owners: [{ kind: 'Deployment', name: `web-${i % workloads}` }],
            },
          }),
        ),
      );
      const started = performance.now();
      await ingestConcurrently(intake, faults, concurrency);
      const seconds = (performance.now() - started) / 1000;
      const incidents = (await store.incidents.list({ limit: 10_000 })).length;
      console.log(
        `throughput: ${faultCount} faults into ${incidents} incidents in ${seconds.toFixed(2)} s = ` +
          `${Math.round(faultCount / seconds)} faults/s (${concurrency} in flight)`,
      );
      return Math.round(faultCount / seconds);
    } finally {
      await store.close();
    }
  });
}

async function storm(): Promise<{ incidents: number; runs: number; lost: number; seconds: number }> {
  return withBenchDatabase(async (url) => {
    const store = await openStore({ kind: 'postgres', url, maxConnections: concurrency });
    try {
      const scenario = buildStorm();
      const faults = stormOrder(scenario);
      const { intake } = incidentServices(store);
      const started = performance.now();
      await ingestConcurrently(intake, faults, concurrency);
      const seconds = (performance.now() - started) / 1000;
      const incidents = await store.incidents.list({ limit: 1000 });
      let attached = 0;
      for (const incident of incidents) attached += (await store.incidents.members(incident.id)).length;
      const figures = {
        incidents: incidents.length,
        runs: await store.queue.pending('triage'),
        lost: faults.length - attached,
        seconds: Number(seconds.toFixed(2)),
      };
      console.log(
        `storm: ${faults.length} faults → ${figures.incidents} incidents (goal 11), ${figures.runs} triages queued ` +
          `(goal ≤ 11), ${figures.lost} lost (goal 0), ${figures.seconds} s (goal ≤ 5 s)`,
      );
      return figures;
    } finally {
      await store.close();
    }
  });
}

const perSecond = await throughput(50);
console.log(`goal ≥ 2000 faults/s (100 pods per incident): ${perSecond >= 2000 ? 'met' : 'NOT met'}`);
const manyIncidents = await throughput(500);
const stormFigures = await storm();
console.log(
  JSON.stringify({
    bench: 'incidents',
    faults_per_s: perSecond,
    faults_per_s_10_pods_per_incident: manyIncidents,
    storm_incidents: stormFigures.incidents,
    storm_runs: stormFigures.runs,
    storm_lost: stormFigures.lost,
    storm_seconds: stormFigures.seconds,
  }),
);
