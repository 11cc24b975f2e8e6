import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bus, BusMessage } from '../../core/ports/bus.ts';
import { subjects } from '../../core/ports/subjects.ts';
import { openStore, type OpenedStore } from '../../core/store/open-store.ts';
import { openNatsBus } from '../../runners/bus/nats-bus.ts';
import { createProgressPublisher } from '../../runners/progress/progress-publisher.ts';
import { makeIncident, makeRun } from '../fixtures/domain.ts';
import { silentLogger } from '../fixtures/logger.ts';
import { harness } from '../harness/use.ts';
import { createTestDatabase } from '../store/postgres-database.ts';

describe('run progress over real NATS JetStream and PostgreSQL', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let store: OpenedStore;
  let bus: Bus;

  beforeAll(async () => {
    database = await createTestDatabase();
    store = await openStore({ kind: 'postgres', url: database.url });
    bus = await openNatsBus({ url: harness('nats').url, logger: silentLogger });
  });
  afterAll(async () => {
    await bus.close();
    await store.close();
    await database.drop();
  });

  it('publishes every event in order, numbered, bounded and redacted; a replayed subscriber sees the same', async () => {
    const incident = makeIncident();
    await store.incidents.create(incident);
    const run = makeRun(incident);
    await store.runs.create(run);
    const publisher = createProgressPublisher({ runId: run.id, bus, store, logger: silentLogger });
    await publisher.emit({ type: 'run.started', agent: 'claude-code' });
    for (let i = 0; i < 20; i += 1) {
      await publisher.emit({
        type: 'tool.called',
        callId: String(i),
        tool: 'kubectl',
        summary: `get pods #${i} token=abc${i}`,
      });
    }
    await publisher.emit({ type: 'tool.called', callId: 'x', tool: 'kubectl', summary: 'y'.repeat(5_000) });
    await publisher.emit({ type: 'tool.result', callId: 'bad' } as never);
    await publisher.emit({ type: 'run.finished', ok: true, usage: { inputTokens: 1200, costUsd: 0.02 } });
    expect(publisher.dropped()).toBe(1);

    const controller = new AbortController();
    const received: BusMessage[] = [];
    for await (const message of bus.subscribe(subjects.runProgress(run.id), {
      from: 'all',
      signal: controller.signal,
    })) {
      received.push(message);
      if (received.length === 23) controller.abort();
    }
    const events = received.map((m) => m.data as { seq: number; type: string; summary?: string });
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 23 }, (_, i) => i + 1));
    expect(events[0]?.type).toBe('run.started');
    expect(events[22]?.type).toBe('run.finished');
    expect(events[5]?.summary).toBe('get pods #4 token=[REDACTED]');
    expect(events[21]?.summary?.length).toBeLessThanOrEqual(500);
    expect(await store.progress.list(run.id)).toHaveLength(23);
  });
});
