/**
 * What the MCP listener says about a server it cannot fully use: the public fork (nothing to reconcile from, no
 * resolutions) and a configured mechanism the server does not offer. Real MCP sessions over loopback.
 */
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { formatListeners } from '../../bot/cli/listeners-command.ts';
import { McpFaultSource, type McpServerSettings } from '../../listeners/mcp/mcp-fault-source.ts';
import { recordingLogger, type LogLine } from '../fixtures/recording-logger.ts';
import { until } from '../fixtures/until.ts';
import { startForkFake, type ForkFake } from './fork-fake-server.ts';

const recorded = async () =>
  JSON.parse(await readFile(new URL('fixtures/fork-faults.json', import.meta.url), 'utf8')) as unknown[];

describe('an MCP server the listener cannot fully use', () => {
  let fork: ForkFake | undefined;
  const sources: McpFaultSource[] = [];

  afterEach(async () => {
    await Promise.all(sources.splice(0).map((s) => s.stop()));
    await fork?.close();
    fork = undefined;
  });

  async function listen(
    settings: Partial<McpServerSettings>,
    lines: LogLine[],
    ttls: (number | undefined)[] = [],
  ): Promise<McpFaultSource> {
    fork = await startForkFake();
    const source = new McpFaultSource(
      { name: 'fork', url: fork.url, cluster: 'prod', pingIntervalMs: 200, maxBackoffMs: 100, ...settings },
      () => Promise.resolve(),
      recordingLogger(lines),
      { onFaultTtl: (ttl) => ttls.push(ttl) },
    );
    sources.push(source);
    void source.run();
    return source;
  }

  it('marks the fork as not reconcilable, says so once however often it reconnects, and gives its faults a 30-minute TTL', async () => {
    const lines: LogLine[] = [];
    const ttls: (number | undefined)[] = [];
    const source = await listen({}, lines, ttls);
    await until('connected', () => source.current().status === 'connected');
    expect(source.current()).toMatchObject({
      mechanism: 'logging',
      reconcile: 'none',
      faultTtlMinutes: 30,
      podRecheck: false,
      notReconcilable: expect.stringContaining(
        'faults raised while disconnected from fork cannot be recovered',
      ) as string,
    });
    for (let i = 0; i < 2; i += 1) {
      const connects = source.current().connects;
      fork?.expireSessions();
      await until('reconnected', () => source.current().connects > connects && fork?.subscribed() === 1);
    }
    const said = lines.filter((l) => l.message.includes('cannot be recovered'));
    expect(said).toHaveLength(1);
    expect(said[0]).toMatchObject({ level: 'warn' });
    expect(said[0]?.message).toMatch(/its faults expire 30 min after they were last sent/);
    expect(ttls).toEqual([30 * 60_000, 30 * 60_000, 30 * 60_000]);

    const table = formatListeners([JSON.parse(JSON.stringify(source.current())) as never]);
    expect(table).toMatch(/^NAME\s+STATUS\s+MECHANISM\s+RECONCILE/);
    expect(table).toMatch(/fork\s+connected\s+logging\s+not reconcilable/);
    expect(table).toContain('fork: not reconcilable: fork offers no list_faults tool and no fault resources');
    expect(table).toContain('fork: its faults expire 30 min after the server last sent them');
  });

  it('takes a configured TTL, and none at all with faultTtlMinutes 0', async () => {
    const ttls: (number | undefined)[] = [];
    const lines: LogLine[] = [];
    const source = await listen({ faultTtlMs: 0 }, lines, ttls);
    await until('connected', () => source.current().status === 'connected');
    expect(ttls).toEqual([undefined]);
    expect(source.current().faultTtlMinutes).toBeUndefined();
    expect(source.current().reconcile).toBe('none');
    expect(lines.find((l) => l.message.includes('cannot be recovered'))?.message).toMatch(
      /its faults never expire/,
    );
    await source.stop();
    await fork?.close();

    const five: (number | undefined)[] = [];
    const again = await listen({ faultTtlMs: 5 * 60_000 }, [], five);
    await until('connected', () => again.current().status === 'connected');
    expect(five).toEqual([5 * 60_000]);
    expect(again.current().faultTtlMinutes).toBe(5);
  });

  it('refuses mechanism resources against the fork once, naming what it offers, and does not retry', async () => {
    const lines: LogLine[] = [];
    const source = await listen({ mechanism: 'resources' }, lines);
    await until('misconfigured', () => source.current().status === 'misconfigured');
    // With a 100 ms backoff a retry loop would have initialized a dozen sessions by now.
    await sleep(1_500);
    expect(fork?.initializes()).toBe(1);
    expect(fork?.subscribed()).toBe(0);
    const state = source.current();
    expect(state.status).toBe('misconfigured');
    expect(state.lastError).toBe(
      'mechanism resources is configured, but fork does not offer it; it offers logging (events_subscribe): set mcp.servers[].mechanism to auto or to one it offers',
    );
    expect(lines.filter((l) => l.level === 'error')).toHaveLength(1);
    expect(lines.filter((l) => l.message.includes('retrying in'))).toHaveLength(0);
    expect(lines.some((l) => l.message.includes('pushes no faults'))).toBe(false);

    const table = formatListeners([JSON.parse(JSON.stringify(state)) as never]);
    expect(table).toMatch(/fork\s+misconfigured\s+-\s+-/);
    expect(table).toContain(
      'fork: not listened to: mechanism resources is configured, but fork does not offer it; it offers logging (events_subscribe)',
    );
  });

  it('still ingests the recorded conversation when the server is not reconcilable', async () => {
    fork = await startForkFake();
    const received: unknown[] = [];
    const source = new McpFaultSource(
      { name: 'fork', url: fork.url, cluster: 'prod' },
      (fault) => {
        received.push(fault);
        return Promise.resolve();
      },
      recordingLogger(),
    );
    sources.push(source);
    void source.run();
    await until('subscribed', () => fork?.subscribed() === 1);
    for (const data of await recorded()) await fork.emit(data);
    await until('all five', () => received.length === 5);
    expect(source.current()).toMatchObject({ faults: 5, ownersFromCluster: 0, podsGone: 0 });
  });
});

describe('a server that can be reconciled', () => {
  it('is marked reconcilable (list_faults) and its faults get no TTL', async () => {
    const ttls: (number | undefined)[] = [];
    const lines: LogLine[] = [];
    const script = new URL('stdio-fault-server.ts', import.meta.url).pathname;
    const source = new McpFaultSource(
      { name: 'local', stdio: { command: process.execPath, args: ['--import', 'tsx', script] } },
      () => Promise.resolve(),
      recordingLogger(lines),
      { onFaultTtl: (ttl) => ttls.push(ttl) },
    );
    void source.run();
    try {
      await until('connected', () => source.current().status === 'connected', 20_000);
      expect(source.current()).toMatchObject({ reconcile: 'list_faults', podRecheck: false });
      expect(source.current().notReconcilable).toBeUndefined();
      expect(source.current().faultTtlMinutes).toBeUndefined();
      expect(ttls).toEqual([undefined]);
      expect(lines.some((l) => l.message.includes('cannot be recovered'))).toBe(false);
      expect(formatListeners([JSON.parse(JSON.stringify(source.current())) as never])).toMatch(
        /local\s+connected\s+logging\s+list_faults/,
      );
    } finally {
      await source.stop();
    }
  });
});
