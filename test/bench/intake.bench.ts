/**
 * `npm run bench:intake`: (1) latency from the apiserver status write to the stored fault (watcher → intake →
 * PostgreSQL), (2) the listener's memory with 500 MCP sessions open, (3) parse + dedupe throughput of fault
 * notifications. Last line: one JSON object.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Fault } from '../../core/domain/fault.ts';
import { openStore } from '../../core/store/open-store.ts';
import { createKubeWatcher } from '../../listeners/kube/kube-watcher.ts';
import { toWire } from '../../listeners/mcp/fault-wire.ts';
import { faultFromWire } from '../../listeners/mcp/from-wire.ts';
import { deliveryKey, RecentKeys } from '../../listeners/mcp/recent-keys.ts';
import { createGhostPod, podStatus, setPodStatus } from '../intake/cluster-objects.ts';
import { makeFault } from '../fixtures/domain.ts';
import { silentLogger } from '../fixtures/logger.ts';
import { createNamespace, deleteNamespace, kubeClient } from '../harness/kube-helpers.ts';
import { ensureKube } from '../harness/services/kube.ts';
import { incidentServices } from '../incidents/incident-harness.ts';
import { withBenchDatabase } from './bench-database.ts';

const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

async function latency(): Promise<{ p50: number; p99: number; samples: number }> {
  const kube = await ensureKube();
  const client = kubeClient(kube.kubeconfigPath);
  const namespace = await createNamespace(client, 'bench');
  const node = `ghost-${namespace}`;
  try {
    return await withBenchDatabase(async (url) => {
      const store = await openStore({ kind: 'postgres', url });
      const { intake } = incidentServices(store);
      const stored = new Map<string, number>();
      const watcher = createKubeWatcher({
        kubeconfig: client.config,
        cluster: 'bench',
        sink: async (fault: Fault) => {
          await intake.ingest(fault);
          if (!fault.resolved) stored.set(fault.resource.name, performance.now());
        },
        logger: silentLogger,
        filters: { includeNamespaces: [namespace] },
        fetchLogs: false,
      });
      await watcher.start();
      const samples: number[] = [];
      const pods = 100;
      for (let i = 0; i < pods; i += 1) await createGhostPod(client, namespace, `p-${i}`, {}, node);
      for (let i = 0; i < pods; i += 1) {
        const name = `p-${i}`;
        const started = performance.now();
        await setPodStatus(client, namespace, name, podStatus.crashLooping());
        while (!stored.has(name)) await sleep(1);
        samples.push((stored.get(name) ?? 0) - started);
      }
      await watcher.stop();
      await store.close();
      samples.sort((a, b) => a - b);
      return { p50: percentile(samples, 50), p99: percentile(samples, 99), samples: samples.length };
    });
  } finally {
    await deleteNamespace(client, namespace);
    await client.core.deleteNode({ name: node }).catch(() => undefined);
  }
}

async function sessionsMemory(
  count: number,
): Promise<{ rssMb: number; baselineMb: number; connectSeconds: number }> {
  const emitScript = fileURLToPath(new URL('emit-server-process.ts', import.meta.url));
  const emit = spawn(process.execPath, ['--import', 'tsx', emitScript], {
    env: { ...process.env, EMIT_TOKEN: 'bench' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const url = await new Promise<string>((resolve) =>
      emit.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString().trim())),
    );
    const listenerScript = fileURLToPath(new URL('listener-sessions-process.ts', import.meta.url));
    const listener = spawn(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', listenerScript, url, String(count)],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    listener.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    await new Promise((resolve) => listener.once('exit', resolve));
    return JSON.parse(out.trim().split('\n').pop() ?? '{}') as {
      rssMb: number;
      baselineMb: number;
      connectSeconds: number;
    };
  } finally {
    emit.kill('SIGTERM');
  }
}

function parseThroughput(count: number): number {
  const wire = Array.from({ length: count }, (_, i) => {
    const fault = makeFault({ faultId: `f-${i % (count / 2)}` });
    return toWire(fault, 'sub-bench');
  });
  const seen = new RecentKeys();
  const started = performance.now();
  let accepted = 0;
  for (const data of wire) {
    const result = faultFromWire(data, { serverName: 'bench' });
    if (!result.ok) continue;
    const key = deliveryKey(result.fault);
    if (seen.has(key)) continue;
    seen.add(key);
    accepted += 1;
  }
  const seconds = (performance.now() - started) / 1000;
  if (accepted !== count / 2) throw new Error(`dedupe kept ${accepted}, expected ${count / 2}`);
  return Math.round(count / seconds);
}

const perSecond = parseThroughput(50_000);
console.log(`parse + dedupe: ${perSecond} notifications/s (goal > 5,000)`);
const memory = await sessionsMemory(500);
console.log(
  `500 MCP sessions: listener process RSS ${memory.rssMb} MB (goal < 300 MB; ${memory.baselineMb} MB before connecting), connected in ${memory.connectSeconds.toFixed(1)} s`,
);
const lat = await latency();
console.log(
  `status write → stored fault: p50 ${lat.p50.toFixed(1)} ms, p99 ${lat.p99.toFixed(1)} ms over ${lat.samples} pods (goal p99 < 250 ms)`,
);
console.log(
  JSON.stringify({
    bench: 'intake',
    fault_to_stored_p50_ms: Number(lat.p50.toFixed(1)),
    fault_to_stored_p99_ms: Number(lat.p99.toFixed(1)),
    rss_mb_500_sessions: memory.rssMb,
    notifications_per_s: perSecond,
  }),
);
process.exit(0);
