import { describe, expect, it } from 'vitest';
import { ConfigError, InvalidFaultError, StoreError } from '../../core/domain/errors.ts';
import { retryDelay, retryPolicies, type RetryPolicy } from '../../core/domain/retry-policies.ts';
import { sleep, withRetry, type RetryAttempt, type Sleep } from '../../core/services/retry.ts';
import { WatchkeeperError } from '../../core/domain/watchkeeper-error.ts';
import { recordingLogger } from '../fixtures/recording-logger.ts';

const policy: RetryPolicy = { name: 'test', initialMs: 100, factor: 2, maxMs: 1_000, jitter: 'none' };

/** A sleep that returns at once and remembers what it was asked to wait. */
function fakeSleep(): Sleep & { readonly waits: number[] } {
  const waits: number[] = [];
  const fake = (ms: number, signal?: AbortSignal) => {
    waits.push(ms);
    return signal?.aborted ? Promise.reject(signal.reason as Error) : Promise.resolve();
  };
  return Object.assign(fake, { waits });
}

/** An operation that fails with each of `errors` in turn, then resolves with 'done'. */
function failing(...errors: Error[]) {
  const calls: number[] = [];
  const op = ({ number }: { number: number }) => {
    calls.push(number);
    const next = errors.shift();
    return next === undefined ? Promise.resolve('done') : Promise.reject(next);
  };
  return { op, calls };
}

const unavailable = () => new StoreError('unavailable', 'connection refused');

describe('retryDelay', () => {
  it.each([
    [1, 100],
    [2, 200],
    [3, 400],
    [4, 800],
    [5, 1_000],
    [50, 1_000],
  ])('after %i failure(s) waits %i ms', (failures, expected) => {
    expect(retryDelay(policy, failures)).toBe(expected);
  });

  it('equal jitter stays within [delay/2, delay]', () => {
    const jittered = { ...policy, jitter: 'equal' } as const;
    expect(retryDelay(jittered, 3, () => 0)).toBe(200);
    expect(retryDelay(jittered, 3, () => 0.999_999)).toBe(400);
  });

  it('the named policies grow and are capped', () => {
    const session = retryPolicies.mcpSession(30_000);
    expect(retryDelay(session, 1, () => 1)).toBe(500);
    expect(retryDelay(session, 40, () => 1)).toBe(30_000);
    expect(retryDelay(retryPolicies.kubeWatch, 40, () => 1)).toBe(60_000);
  });
});

describe('withRetry', () => {
  it('retries retryable failures along the policy and returns the result', async () => {
    const wait = fakeSleep();
    const { op, calls } = failing(unavailable(), unavailable(), new Error('socket hang up'));
    expect(await withRetry(op, policy, { what: 'test', sleep: wait })).toBe('done');
    expect(calls).toEqual([1, 2, 3, 4]);
    expect(wait.waits).toEqual([100, 200, 400]);
  });

  it.each([
    ['a non-retryable store error', new StoreError('conflict', 'duplicate key')],
    ['a configuration error', new ConfigError('bus.nats.url', 'not a URL')],
    ['a fault the domain cannot hold', new InvalidFaultError('reason', 'too long')],
  ])('stops at the first non-retryable error: %s', async (_, error) => {
    const wait = fakeSleep();
    const { op, calls } = failing(unavailable(), error);
    await expect(withRetry(op, policy, { what: 'test', sleep: wait })).rejects.toBe(error);
    expect(calls).toEqual([1, 2]);
    expect(wait.waits).toEqual([100]);
  });

  it('retries contended writes but not a bug (coded errors say which they are)', async () => {
    const bug = new WatchkeeperError('internal', 'reports.kind is s3 but no S3 store was opened');
    const { op, calls } = failing(new WatchkeeperError('contended', 'incident raced'), bug);
    await expect(withRetry(op, policy, { what: 'test', sleep: fakeSleep() })).rejects.toBe(bug);
    expect(calls).toEqual([1, 2]);
    expect(bug.hint).toMatch(/bug in Watchkeeper/);
  });

  it('honours retryAfterMs when it is longer than the backoff, not when shorter', async () => {
    const wait = fakeSleep();
    const limited = (ms: number) =>
      Object.assign(new Error('rate limited'), { retryable: true, retryAfterMs: ms });
    const { op } = failing(limited(5_000), limited(10));
    await withRetry(op, policy, { what: 'test', sleep: wait });
    expect(wait.waits).toEqual([5_000, 200]);
  });

  it('gives up after maxAttempts with the last error', async () => {
    const wait = fakeSleep();
    const last = unavailable();
    const { op, calls } = failing(unavailable(), unavailable(), last, unavailable());
    await expect(withRetry(op, { ...policy, maxAttempts: 3 }, { what: 'test', sleep: wait })).rejects.toBe(
      last,
    );
    expect(calls).toEqual([1, 2, 3]);
  });

  it('logs once per distinct error, not once per attempt, and once on recovery', async () => {
    const logger = recordingLogger();
    const { op } = failing(
      unavailable(),
      unavailable(),
      unavailable(),
      new Error('timeout'),
      new Error('timeout'),
    );
    await withRetry(op, policy, { what: 'fault delivery', sleep: fakeSleep(), logger });
    expect(logger.lines.map((line) => `${line.level} ${line.message}`)).toEqual([
      'warn fault delivery: connection refused; retrying in 100 ms',
      'warn fault delivery: timeout; retrying in 800 ms',
      'info fault delivery: recovered after 5 failure(s)',
    ]);
  });

  it('reset() starts the backoff afresh after a session got up', async () => {
    const wait = fakeSleep();
    let calls = 0;
    const op = (attempt: RetryAttempt) => {
      calls += 1;
      if (calls === 3) attempt.reset(); // the third session connected before it failed
      return calls === 5 ? Promise.resolve('up') : Promise.reject(unavailable());
    };
    await withRetry(op, policy, { what: 'test', sleep: wait });
    expect(wait.waits).toEqual([100, 200, 100, 200]);
  });

  it('rejects with the abort reason when the signal aborts during an attempt', async () => {
    const controller = new AbortController();
    const reason = new Error('stopping');
    const op = () => {
      controller.abort(reason);
      return Promise.reject(unavailable());
    };
    await expect(
      withRetry(op, policy, { what: 'test', signal: controller.signal, sleep: fakeSleep() }),
    ).rejects.toBe(reason);
  });

  it('does not start when the signal has already aborted', async () => {
    const { op, calls } = failing();
    await expect(withRetry(op, policy, { what: 'test', signal: AbortSignal.abort() })).rejects.toThrow(
      /abort/i,
    );
    expect(calls).toEqual([]);
  });

  it('a real backoff is cut short by the abort (stopping does not wait it out)', async () => {
    const controller = new AbortController();
    const slow = { ...policy, initialMs: 60_000, maxMs: 60_000 };
    const started = performance.now();
    const running = withRetry(() => Promise.reject(unavailable()), slow, {
      what: 'test',
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(new Error('stopping')), 20);
    await expect(running).rejects.toThrow('stopping');
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});

describe('sleep', () => {
  it('waits the time asked', async () => {
    const started = performance.now();
    await sleep(30);
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
  });

  it('rejects at once when aborted, and leaves no timer behind', async () => {
    const controller = new AbortController();
    const waiting = sleep(60_000, controller.signal);
    controller.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
    await expect(sleep(10, AbortSignal.abort(new Error('already')))).rejects.toThrow('already');
  });
});
