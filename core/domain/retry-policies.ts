/**
 * Every backoff curve of Watchkeeper, by name, in one place. A policy says how long to wait before attempt
 * n+1 after n failures; `withRetry` (core/services/retry.ts) applies it. Clients that retry by themselves
 * (@slack/web-api, the MCP SDK's SSE reconnects, NATS reconnects) are configured, not wrapped: no second layer.
 */
export interface RetryPolicy {
  /** Names the curve in logs. */
  readonly name: string;
  /** The wait after the first failure. */
  readonly initialMs: number;
  readonly factor: number;
  readonly maxMs: number;
  /** `equal`: a random wait in [delay/2, delay] so many clients do not retry in step; `none`: exactly delay. */
  readonly jitter: 'equal' | 'none';
  /** Failures before giving up (the last error is thrown); absent: until the signal aborts. */
  readonly maxAttempts?: number;
}

/** The wait after `failures` consecutive failures (1 = the first), before any Retry-After is applied. */
export function retryDelay(
  policy: RetryPolicy,
  failures: number,
  random: () => number = Math.random,
): number {
  const exponent = Math.max(0, Math.min(failures - 1, 30));
  const delay = Math.min(policy.maxMs, policy.initialMs * policy.factor ** exponent);
  return policy.jitter === 'equal' ? Math.round(delay / 2 + random() * (delay / 2)) : Math.round(delay);
}

export const retryPolicies = {
  /** An MCP fault server's whole session (initialize, subscribe, reconcile): 0.5 s doubling to 30 s, jittered. */
  mcpSession: (maxMs = 30_000): RetryPolicy => ({
    name: 'mcp-session',
    initialMs: 500,
    factor: 2,
    maxMs,
    jitter: 'equal',
  }),
  /** A Kubernetes informer that lost its watch: 1 s doubling to 60 s. */
  kubeWatch: {
    name: 'kube-watch',
    initialMs: 1_000,
    factor: 2,
    maxMs: 60_000,
    jitter: 'equal',
  },
  /** Handing a detected fault to intake (the database is down): 0.2 s doubling to 30 s; nothing is dropped. */
  faultDelivery: {
    name: 'fault-delivery',
    initialMs: 200,
    factor: 2,
    maxMs: 30_000,
    jitter: 'none',
  },
  /** A bus subscription that ended (NATS restarted, consumer deleted): 1 s doubling to 30 s. */
  busResubscribe: {
    name: 'bus-resubscribe',
    initialMs: 1_000,
    factor: 2,
    maxMs: 30_000,
    jitter: 'equal',
  },
  /** Rendering a Slack message when our side failed (the store unreachable): 1 s doubling to 60 s, 8 tries. */
  chatRender: {
    name: 'chat-render',
    initialMs: 1_000,
    factor: 2,
    maxMs: 60_000,
    jitter: 'none',
    maxAttempts: 8,
  },
} as const satisfies Record<string, RetryPolicy | ((maxMs?: number) => RetryPolicy)>;

/**
 * The Web API client's own retries, configured here beside the others: 429s wait out their Retry-After
 * inside the client; other failures back off briefly (its default grows to 30 minutes, holding a channel's
 * queue that long). Nothing of ours retries a Slack call on top.
 */
export const slackClientRetries = { retries: 8, factor: 1.5, minTimeout: 250, maxTimeout: 5_000 } as const;
/** At start-up the token check fails fast: a person is watching. */
export const slackStartupRetries = { retries: 2, minTimeout: 500, maxTimeout: 2_000 } as const;
