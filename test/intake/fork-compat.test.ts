import { readFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Fault } from '../../core/domain/fault.ts';
import { McpFaultSource } from '../../listeners/mcp/mcp-fault-source.ts';
import { silentLogger } from '../fixtures/logger.ts';
import { until } from '../fixtures/until.ts';
import { startForkFake, type ForkFake } from './fork-fake-server.ts';

describe('listening to kubernetes-mcp-server-with-events', () => {
  let fork: ForkFake;
  let source: McpFaultSource;
  let received: Fault[];

  beforeEach(async () => {
    fork = await startForkFake();
    received = [];
    source = new McpFaultSource(
      { name: 'fork', url: fork.url, cluster: 'prod', pingIntervalMs: 200 },
      (fault) => {
        received.push(fault);
        return Promise.resolve();
      },
      silentLogger,
    );
    void source.run();
    await until('subscribed', () => fork.subscribed() === 1 && source.current().status === 'connected');
  });
  afterEach(async () => {
    await source.stop();
    await fork.close();
  });

  it('ingests a recorded conversation in the fork’s wire format', async () => {
    const recorded = JSON.parse(
      await readFile(new URL('fixtures/fork-faults.json', import.meta.url), 'utf8'),
    ) as unknown[];
    for (const data of recorded) await fork.emit(data);
    await until('all five', () => received.length === 5);
    expect(source.current()).toMatchObject({ mechanism: 'logging', dropped: 0 });
    expect(received.map((f) => [f.class, f.severity, f.resource.kind])).toEqual([
      ['CrashLoopBackOff', 'critical', 'Pod'],
      ['OOMKilled', 'warning', 'Pod'],
      ['NodeNotReady', 'critical', 'Node'],
      ['DeploymentRolloutFailed', 'critical', 'Deployment'],
      ['JobFailed', 'critical', 'Job'],
    ]);
    expect(received[0]).toMatchObject({
      cluster: 'prod',
      faultId: '3f9c2a7b1d4e5f60',
      source: { kind: 'mcp', name: 'fork' },
      resource: { namespace: 'shop', name: 'checkout-7d9f-x2v' },
      observedAt: new Date('2026-11-25T10:00:03Z'),
      resolved: false,
    });
  });

  it('recovers by itself when the server expires its session: re-initializes, sets the level, subscribes again', async () => {
    const recorded = JSON.parse(
      await readFile(new URL('fixtures/fork-faults.json', import.meta.url), 'utf8'),
    ) as unknown[];
    const connects = source.current().connects;
    fork.expireSessions();
    await until('re-subscribed', () => source.current().connects > connects && fork.subscribed() === 1);
    await fork.emit(recorded[2]);
    await until('a fault after recovery', () => received.length === 1);
    expect(received[0]?.class).toBe('NodeNotReady');
  });

  it('counts and drops malformed notifications without crashing or stalling, and takes the next good one', async () => {
    const good = JSON.parse(
      await readFile(new URL('fixtures/fork-faults.json', import.meta.url), 'utf8'),
    ) as Record<string, unknown>[];
    const bad: unknown[] = [
      'not an object',
      42,
      { faultId: 'x' },
      { ...good[0], faultId: 12345 },
      { ...good[0], resource: 'pod/x' },
      { ...good[0], timestamp: 'yesterday' },
      { ...good[0], faultId: 'big', context: 'x'.repeat(10 * 1024 * 1024) },
    ];
    for (const data of bad) await fork.emit(data);
    for (let i = 0; i < 2_000; i += 1) await fork.emit({ faultId: `flood-${i}` });
    await fork.emit({ ...good[1], context: 'lone surrogate \ud800 and NUL \u0000 in text' });
    await until('the good one after the flood', () => received.length === 1, 30_000);
    expect(source.current().dropped).toBe(bad.length + 2_000);
    expect(source.current().status).toBe('connected');
    expect(received[0]?.context.message).toBe('lone surrogate \ufffd and NUL \ufffd in text');
  });
});

describe('a local MCP fault server over stdio', () => {
  it('is started as a child process, subscribed to and reconciled', async () => {
    const received: Fault[] = [];
    const script = new URL('stdio-fault-server.ts', import.meta.url).pathname;
    const source = new McpFaultSource(
      { name: 'local', stdio: { command: process.execPath, args: ['--import', 'tsx', script] } },
      (fault) => {
        received.push(fault);
        return Promise.resolve();
      },
      silentLogger,
    );
    void source.run();
    try {
      await until('the fault that holds', () => received.length === 1, 20_000);
      expect(received[0]).toMatchObject({ faultId: 'stdio-fault-1', source: { kind: 'mcp', name: 'local' } });
      expect(source.current()).toMatchObject({
        status: 'connected',
        mechanism: 'logging',
        url: expect.stringMatching(/^stdio: /) as string,
      });
    } finally {
      await source.stop();
    }
  });
});
