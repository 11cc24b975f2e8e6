/**
 * Issue 13's acceptance on the real node, one fault class per test, all at once (each its own namespace, its
 * own `watchkeeper start` and database): the real container's fault gives exactly one incident and one triage
 * request, the incident is never resolved while the container keeps failing over several real kubelet cycles,
 * and it resolves within the quiet period after the fix, saying why.
 */
import { describe, expect, it } from 'vitest';
import { dynamicsEnv } from './env.ts';
import { faultScenarios } from './fault-scenarios.ts';
import { runScenario } from './scenario.ts';
import { quietPeriodMs } from './watchkeeper-on-cluster.ts';

// Watch (up to 4 min) + quiet period + a minute: the scenarios run concurrently, so the file takes about that.
const timeoutMs = 4 * 60_000 + quietPeriodMs + 3 * 60_000;

describe.concurrent('real kubelet fault dynamics → one incident, resolved only after the fix', () => {
  const env = dynamicsEnv();
  for (const scenario of faultScenarios(env.node)) {
    it(scenario.name, { timeout: timeoutMs }, async () => {
      const result = await runScenario(env, scenario);
      console.info(result.timeline);
      const detail = `\n${result.timeline}`;
      expect(result.incidents.length, `one incident${detail}`).toBe(1);
      expect(result.triageRequests, `one triage request${detail}`).toBe(1);
      expect(result.resolvedBeforeFix, `never resolved while still failing${detail}`).toBe(0);
      expect(
        result.resolveAfterFixS,
        `resolved within the quiet period after the fix${detail}`,
      ).toBeDefined();
      expect(result.resolvedReason, `the resolution says why${detail}`).toMatch(/\w{3,}/);
    });
  }
});
