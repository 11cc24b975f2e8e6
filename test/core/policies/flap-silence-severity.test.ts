import { describe, expect, it } from 'vitest';
import { isFlapping, recentChanges } from '../../../core/domain/policies/flap.ts';
import { effectiveSeverity } from '../../../core/domain/policies/severity-rules.ts';
import { activeSilence, type Silence } from '../../../core/domain/policies/silence.ts';
import { later, makeFault, t0 } from '../../fixtures/domain.ts';

describe('flap detection', () => {
  const settings = { windowMs: 60_000, threshold: 3 };
  const at = (...ms: number[]) => ms.map((m) => later(t0, m));

  it.each<[string, Date[], number, boolean]>([
    ['no changes', [], 0, false],
    ['two changes are not a flap', at(0, 10_000), 20_000, false],
    ['three changes in the window flap', at(0, 10_000, 20_000), 30_000, true],
    ['the oldest change exactly one window ago has left it', at(0, 10_000, 20_000), 60_000, false],
    ['1 ms before that it still counts', at(0, 10_000, 20_000), 59_999, true],
    ['changes in the future are ignored', at(0, 10_000, 90_000), 30_000, false],
  ])('%s', (_what, changes, now, flapping) => {
    expect(isFlapping(changes, later(t0, now), settings)).toBe(flapping);
  });

  it('keeps only the changes inside the window', () => {
    expect(recentChanges(at(0, 50_000, 70_000), later(t0, 100_000), settings)).toEqual(at(50_000, 70_000));
  });
});

describe('silences', () => {
  const base: Silence = {
    id: 's1',
    matcher: {},
    author: 'U123',
    reason: 'maintenance',
    createdAt: t0,
    expiresAt: later(t0, 3_600_000),
  };
  const fault = makeFault({ context: { labels: { team: 'payments', tier: 'web' } } });
  const silence = (matcher: Silence['matcher'], overrides: Partial<Silence> = {}): Silence => ({
    ...base,
    matcher,
    ...overrides,
  });

  it.each<[string, Silence, Date, boolean]>([
    ['matches by cluster', silence({ cluster: 'prod-eu' }), later(t0, 1), true],
    ['another cluster does not match', silence({ cluster: 'prod-us' }), later(t0, 1), false],
    ['matches by namespace', silence({ namespace: 'shop' }), later(t0, 1), true],
    ['matches by class', silence({ class: 'CrashLoopBackOff' }), later(t0, 1), true],
    ['another class does not match', silence({ class: 'OOMKilled' }), later(t0, 1), false],
    ['matches when every label matches', silence({ labels: { team: 'payments' } }), later(t0, 1), true],
    [
      'one differing label is enough to miss',
      silence({ labels: { team: 'payments', tier: 'db' } }),
      later(t0, 1),
      false,
    ],
    ['all fields must match', silence({ namespace: 'shop', class: 'OOMKilled' }), later(t0, 1), false],
    [
      'an expired silence does nothing (at the expiry instant)',
      silence({ namespace: 'shop' }),
      later(t0, 3_600_000),
      false,
    ],
    ['1 ms before expiry it still holds', silence({ namespace: 'shop' }), later(t0, 3_599_999), true],
    ['a silence created later does not apply yet', silence({ namespace: 'shop' }), later(t0, -1), false],
    ['an empty matcher silences nothing', silence({}), later(t0, 1), false],
    [
      'matches one incident by fingerprint',
      silence({ fingerprint: 'workload:Deployment/shop/checkout' }),
      later(t0, 1),
      true,
    ],
  ])('%s', (_what, s, now, matches) => {
    expect(activeSilence([s], fault, now, 'workload:Deployment/shop/checkout') !== undefined).toBe(matches);
  });
});

describe('severity rules', () => {
  const fault = makeFault({ severity: 'high', context: { labels: { team: 'payments' } } });

  it.each<[string, Parameters<typeof effectiveSeverity>[1], string]>([
    ['no rules: the source severity stands', [], 'high'],
    ['a namespace rule applies', [{ match: { namespace: 'shop' }, severity: 'critical' }], 'critical'],
    ['a non-matching rule is skipped', [{ match: { namespace: 'dev' }, severity: 'info' }], 'high'],
    [
      'the first matching rule wins',
      [
        { match: { labels: { team: 'payments' } }, severity: 'critical' },
        { match: { namespace: 'shop' }, severity: 'info' },
      ],
      'critical',
    ],
    [
      'a class rule can lower severity',
      [{ match: { class: 'CrashLoopBackOff' }, severity: 'warning' }],
      'warning',
    ],
  ])('%s', (_what, rules, severity) => {
    expect(effectiveSeverity(fault, rules)).toBe(severity);
  });
});
