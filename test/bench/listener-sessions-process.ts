/**
 * The MCP listener alone in a process: opens N sessions to the emit server at argv[2] and prints its RSS (after
 * a GC) as JSON, so the figure is the listener's, not the benchmark's.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { McpFaultSource } from '../../listeners/mcp/mcp-fault-source.ts';
import { silentLogger } from '../fixtures/logger.ts';

const [url, countArg] = process.argv.slice(2);
const count = Number(countArg ?? 500);
globalThis.gc?.();
const baseline = process.memoryUsage().rss;
const sources: McpFaultSource[] = [];
const started = performance.now();
for (let i = 0; i < count; i += 50) {
  const batch = Array.from(
    { length: Math.min(50, count - i) },
    (_, j) =>
      new McpFaultSource(
        { name: `s${i + j}`, url: url ?? '', token: 'bench', pingIntervalMs: 60_000 },
        () => Promise.resolve(),
        silentLogger,
      ),
  );
  sources.push(...batch);
  for (const source of batch) void source.run();
  while (!batch.every((s) => s.current().status === 'connected')) await sleep(20);
}
const connectSeconds = (performance.now() - started) / 1000;
globalThis.gc?.();
await sleep(500);
const rss = process.memoryUsage().rss;
process.stdout.write(
  `${JSON.stringify({ rssMb: Math.round(rss / 1_048_576), baselineMb: Math.round(baseline / 1_048_576), connectSeconds })}\n`,
);
await Promise.all(sources.map((s) => s.stop()));
process.exit(0);
