/**
 * `npm run bench:dynamics`: real crash-looping containers on the harness's real node, each watched by its own
 * real Watchkeeper over several kubelet back-off cycles, then fixed. Prints per crash loop how many incidents
 * and triage requests it gave (goal 1 each), whether any incident stayed open with no firing fault a quiet
 * period after the fix (goal 0) and how long resolution took after the fix. Last line: one JSON object, with
 * the worst crash loop's counts and the median resolution time.
 * WATCHKEEPER_BENCH_CRASHLOOPS (default 3) sets how many crash loops run at once.
 */
import { ensureKube } from '../harness/services/kube.ts';
import { ensurePostgres } from '../harness/services/postgres.ts';
import { ensureRealNode } from '../harness/services/real-node.ts';
import { crashLoopScenario } from '../dynamics/fault-scenarios.ts';
import { runScenario } from '../dynamics/scenario.ts';
import { quietPeriodMs } from '../dynamics/watchkeeper-on-cluster.ts';

const loops = Number(process.env.WATCHKEEPER_BENCH_CRASHLOOPS ?? 3);
const [postgres, kube] = await Promise.all([ensurePostgres(), ensureKube()]);
const node = await ensureRealNode(kube);
const env = { kubeconfigPath: kube.kubeconfigPath, node, postgresUrl: postgres.url };

const started = Date.now();
process.stderr.write(
  `bench:dynamics: ${loops} real crash loops (back-off capped at ${node.crashLoopMaxBackOff}), quiet period ` +
    `${quietPeriodMs / 1000}s; this takes several minutes\n`,
);
const results = await Promise.all(
  Array.from({ length: loops }, (_, i) =>
    runScenario(env, { ...crashLoopScenario(node), name: `bench${i}` }),
  ),
);

const median = (values: number[]): number | null => {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? null) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

for (const r of results) {
  console.log(
    `${r.name}: watched ${r.watchedS}s of crash-looping, ${r.incidents.length} incident(s), ` +
      `${r.triageRequests} triage request(s), resolved before the fix ${r.resolvedBeforeFix}x, ` +
      (r.resolveAfterFixS !== undefined
        ? `resolved ${r.resolveAfterFixS}s after the fix (${r.resolvedReason ?? 'no reason'})`
        : `NOT resolved within ${quietPeriodMs / 1000 + 60}s of the fix`),
  );
}
if (process.env.WATCHKEEPER_BENCH_TIMELINE) for (const r of results) console.log(r.timeline);
const resolved = results.flatMap((r) => (r.resolveAfterFixS !== undefined ? [r.resolveAfterFixS] : []));
console.log(`total ${((Date.now() - started) / 1000).toFixed(0)}s`);
console.log(
  JSON.stringify({
    bench: 'dynamics',
    crashloop_incidents: Math.max(...results.map((r) => r.incidents.length)),
    crashloop_triage_requests: Math.max(...results.map((r) => r.triageRequests)),
    open_without_firing_after_quiet: results.reduce((n, r) => n + r.openWithoutFiringAfterQuiet, 0),
    resolve_after_fix_s_p50: median(resolved),
  }),
);
process.exit(0);
