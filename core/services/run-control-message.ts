/**
 * The message on `subjects.runControl(runId)` asking whichever replica runs a run to stop it. It is only a hint
 * to look now: the replica acts on the cancellation recorded in the store, never on the message itself, because
 * a run's own pod may publish on its run's subjects.
 */
import { z } from 'zod';
import type { CancelledBy } from '../domain/run.ts';

export const RunControlMessageSchema = z.object({
  type: z.literal('cancel'),
  runId: z.string().min(1).max(128),
});

export type RunControlMessage = z.infer<typeof RunControlMessageSchema> & { readonly by?: CancelledBy };

export function runControlMessage(runId: string, by: CancelledBy): RunControlMessage {
  return { type: 'cancel', runId, by };
}
