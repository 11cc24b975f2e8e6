import { z } from 'zod';

/** Normalized progress from any agent CLI; every field is bounded because it is posted to Slack. */
const base = {
  runId: z.string().min(1).max(64),
  seq: z.number().int().nonnegative(),
  at: z.coerce.date(),
  /** Read after the fact (a Job run's pod log, when NATS is not configured), not as it happened. */
  delayed: z.literal(true).optional(),
};

export const ProgressEventSchema = z.discriminatedUnion('type', [
  z.object({
    ...base,
    type: z.literal('run.started'),
    agent: z.string().max(64),
    model: z.string().max(128).optional(),
  }),
  z.object({
    ...base,
    type: z.literal('tool.called'),
    callId: z.string().max(128),
    tool: z.string().max(128),
    summary: z.string().max(500),
  }),
  z.object({
    ...base,
    type: z.literal('tool.result'),
    callId: z.string().max(128),
    ok: z.boolean(),
    excerpt: z.string().max(500).optional(),
  }),
  z.object({
    ...base,
    type: z.literal('tool.denied'),
    tool: z.string().max(128),
    reason: z.string().max(500),
  }),
  z.object({ ...base, type: z.literal('assistant.message'), excerpt: z.string().max(1_000) }),
  z.object({ ...base, type: z.literal('error'), message: z.string().max(1_000) }),
  z.object({
    ...base,
    type: z.literal('run.finished'),
    ok: z.boolean(),
    usage: z
      .object({
        inputTokens: z.number().nonnegative().optional(),
        outputTokens: z.number().nonnegative().optional(),
        cacheReadTokens: z.number().nonnegative().optional(),
        costUsd: z.number().nonnegative().optional(),
        turns: z.number().int().nonnegative().optional(),
        durationMs: z.number().nonnegative().optional(),
      })
      .optional(),
  }),
]);
export type ProgressEvent = z.infer<typeof ProgressEventSchema>;
export type ProgressEventType = ProgressEvent['type'];
