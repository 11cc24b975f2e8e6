/** What a run consumed, as far as the agent CLI reports it. */
export interface Usage {
  readonly inputTokens?: number;
  readonly outputTokens?: number;
  readonly cacheReadTokens?: number;
  readonly costUsd?: number;
  readonly turns?: number;
  readonly durationMs?: number;
}
