/** How a run ended, combining the sandbox's exit with what the agent's own stream said. */
import type { AgentProfile } from '../../core/domain/agent-profile.ts';
import type { Usage } from '../../core/domain/usage.ts';
import type { RunResult } from '../../core/ports/triage-launcher.ts';
import type { StreamSummary } from '../progress/streams/stream-parser.ts';

/**
 * The stream's reason wins over a bare exit code (Claude Code exits 1 at max turns; "exited with 1" says less);
 * a timeout or a cancel stays what it was, unless Watchkeeper itself stopped a run that could no longer succeed.
 */
export function streamVerdict(result: RunResult, summary: StreamSummary, stoppedHopeless = false): RunResult {
  if (!summary.failure) return result;
  if (!result.ok) {
    const replace = result.failure.reason === 'crashed' || stoppedHopeless;
    return replace ? { ok: false, failure: summary.failure } : result;
  }
  return { ok: false, failure: summary.failure };
}

/** CLIs other than Claude Code report tokens only: with the profile's list prices, the cost is ours to compute. */
export function withCost(usage: Usage, profile: Pick<AgentProfile, 'price'>): Usage {
  if (usage.costUsd !== undefined || !profile.price) return usage;
  const cost =
    ((usage.inputTokens ?? 0) * profile.price.inputUsdPerMillion +
      (usage.outputTokens ?? 0) * profile.price.outputUsdPerMillion) /
    1_000_000;
  return { ...usage, costUsd: Math.round(cost * 1_000_000) / 1_000_000 };
}
