/** One behaviour contract for the bus, run against the in-process bus and a real nats-server. */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { Bus, BusMessage, SubscribeOptions } from '../../core/ports/bus.ts';
import { subjects } from '../../core/ports/subjects.ts';

/** Takes `count` messages from a subscription, failing after `timeoutMs` with what arrived so far. */
export async function take(
  bus: Bus,
  filter: string,
  count: number,
  options: Omit<SubscribeOptions, 'signal'>,
  timeoutMs = 5_000,
): Promise<BusMessage[]> {
  return takeUntil(bus, filter, options, (got) => got.length === count, timeoutMs);
}

/** Takes messages until `done` says so (or `timeoutMs` passes), returning what arrived. */
export async function takeUntil(
  bus: Bus,
  filter: string,
  options: Omit<SubscribeOptions, 'signal'>,
  done: (got: readonly BusMessage[]) => boolean,
  timeoutMs = 5_000,
): Promise<BusMessage[]> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const got: BusMessage[] = [];
  try {
    for await (const message of bus.subscribe(filter, { ...options, signal: controller.signal })) {
      got.push(message);
      if (done(got)) break;
    }
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  return got;
}

/** Durable consumer names the contract created, so a test file can remove them from a reused server. */
export const durablesCreated: string[] = [];

export function busContract(name: string, open: () => Promise<Bus>): void {
  describe(`${name} bus`, () => {
    const opened: Bus[] = [];
    const fresh = async () => {
      const bus = await open();
      opened.push(bus);
      return bus;
    };
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((bus) => bus.close()));
    });

    it('replays a stream subject from the start, in order, with increasing seq', async () => {
      const bus = await fresh();
      const subject = subjects.runProgress(randomUUID());
      for (let i = 1; i <= 5; i++) await bus.publish(subject, { i, at: new Date(0) });
      const got = await take(bus, subject, 5, { from: 'all' });
      expect(got.map((m) => m.data)).toEqual(
        [1, 2, 3, 4, 5].map((i) => ({ i, at: '1970-01-01T00:00:00.000Z' })),
      );
      const seqs = got.map((m) => m.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(new Set(seqs).size).toBe(5);
      expect(got.every((m) => m.subject === subject)).toBe(true);
    });

    it("delivers only later messages from 'new'", async () => {
      const bus = await fresh();
      const subject = subjects.runProgress(randomUUID());
      await bus.publish(subject, 'before');
      const pending = take(bus, subject, 1, { from: 'new' });
      await new Promise((resolve) => setTimeout(resolve, 300));
      await bus.publish(subject, 'after');
      expect((await pending).map((m) => m.data)).toEqual(['after']);
    });

    it('resumes after a given seq', async () => {
      const bus = await fresh();
      const subject = subjects.runProgress(randomUUID());
      const first = await bus.publish(subject, 'a');
      await bus.publish(subject, 'b');
      await bus.publish(subject, 'c');
      const got = await take(bus, subject, 2, { from: { afterSeq: first.seq } });
      expect(got.map((m) => m.data)).toEqual(['b', 'c']);
    });

    it('reports a repeated msgId as a duplicate and stores it once', async () => {
      const bus = await fresh();
      const subject = subjects.incidentLifecycle(randomUUID());
      const [m1, m2] = [`m1-${randomUUID()}`, `m2-${randomUUID()}`];
      const first = await bus.publish(subject, 'once', { msgId: m1 });
      const again = await bus.publish(subject, 'once', { msgId: m1 });
      expect(first.duplicate).toBe(false);
      expect(again).toEqual({ seq: first.seq, duplicate: true });
      await bus.publish(subject, 'next', { msgId: m2 });
      const got = await take(bus, subject, 2, { from: 'all' });
      expect(got.map((m) => [m.data, m.msgId])).toEqual([
        ['once', m1],
        ['next', m2],
      ]);
    });

    it('matches wildcard filters within a stream and keeps other runs out', async () => {
      const bus = await fresh();
      const mine = randomUUID();
      // Payloads name this test's run: a reused server still holds the messages of earlier runs.
      const [otherData, mineData, lifecycleData] = ['other run', 'mine', 'not progress'].map(
        (what) => `${what} ${mine}`,
      );
      const other = await bus.publish(subjects.runProgress(randomUUID()), otherData);
      await bus.publish(subjects.runProgress(mine), mineData);
      await bus.publish(subjects.incidentLifecycle(mine), lifecycleData);
      const got = await take(bus, subjects.runProgress(mine), 1, { from: 'all' });
      expect(got.map((m) => m.data)).toEqual([mineData]);
      // From this test's first message on, not from 'all': earlier runs and concurrent test files publish
      // progress to the same stream, so only the messages from that point are this test's to judge.
      const wild = await takeUntil(
        bus,
        subjects.allRunProgress,
        { from: { afterSeq: other.seq - 1 } },
        (seen) => seen.some((m) => m.data === mineData),
      );
      expect(wild[0]).toMatchObject({ seq: other.seq, data: otherData });
      expect(wild.at(-1)?.data).toBe(mineData);
      expect(wild.every((m) => /^watchkeeper\.run\.[^.]+\.progress$/.test(m.subject))).toBe(true);
      expect(wild.map((m) => m.data)).not.toContain(lifecycleData);
    });

    it('resumes a durable consumer after the last message it acknowledged (the one in hand is redelivered)', async () => {
      const durable = `d-${randomUUID()}`;
      durablesCreated.push(durable);
      const subject = subjects.runProgress(randomUUID());
      const bus = await fresh();
      for (const n of [1, 2, 3]) await bus.publish(subject, n);
      const controller = new AbortController();
      const seen: unknown[] = [];
      for await (const message of bus.subscribe(subject, {
        from: 'all',
        durable,
        signal: controller.signal,
      })) {
        seen.push(message.data);
        if (seen.length === 2) break;
      }
      expect(seen).toEqual([1, 2]);
      await bus.publish(subject, 4);
      const resumed = await take(bus, subject, 3, { from: 'all', durable });
      expect(resumed.map((m) => m.data)).toEqual([2, 3, 4]);
    });

    it('ends the iterator when the signal aborts', async () => {
      const bus = await fresh();
      const controller = new AbortController();
      const iterate = (async () => {
        const got: unknown[] = [];
        for await (const message of bus.subscribe(subjects.runProgress(randomUUID()), {
          from: 'all',
          signal: controller.signal,
        })) {
          got.push(message);
        }
        return got;
      })();
      setTimeout(() => controller.abort(), 200);
      await expect(iterate).resolves.toEqual([]);
    });

    it('delivers fire-and-forget subjects to live subscribers only', async () => {
      const bus = await fresh();
      const subject = `watchkeeper.test.${randomUUID()}`;
      await bus.publish(subject, 'nobody listening');
      const pending = take(bus, subject, 1, { from: 'all' });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await bus.publish(subject, 'live')).toEqual({ seq: 0, duplicate: false });
      expect((await pending).map((m) => [m.data, m.seq])).toEqual([['live', 0]]);
    });

    it('refuses to publish to a wildcard subject, and subjects refuse ids that would escape', async () => {
      const bus = await fresh();
      await expect(bus.publish('watchkeeper.run.*.progress', 'x')).rejects.toThrow(/without wildcards/);
      expect(() => subjects.runProgress('a.b')).toThrow(/not a valid subject token/);
      expect(() => subjects.incidentLifecycle('>')).toThrow(/not a valid subject token/);
    });
  });
}
