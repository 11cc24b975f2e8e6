/** Alertmanager's webhook payload (version 4), validated at the edge. */
import { z } from 'zod';

const labelMap = z.record(z.string().max(256), z.string().max(4_096));

export const AlertSchema = z.object({
  status: z.enum(['firing', 'resolved']),
  labels: labelMap,
  annotations: labelMap.default({}),
  startsAt: z.coerce.date(),
  endsAt: z.coerce.date().optional(),
  generatorURL: z.string().max(4_096).optional(),
  fingerprint: z.string().max(128).optional(),
});
export type Alert = z.infer<typeof AlertSchema>;

export const AlertmanagerPayloadSchema = z.object({
  version: z.literal('4', { error: 'only version "4" of the Alertmanager webhook is supported' }),
  groupKey: z.string().max(4_096).optional(),
  status: z.enum(['firing', 'resolved']),
  receiver: z.string().max(256).optional(),
  groupLabels: labelMap.optional(),
  commonLabels: labelMap.optional(),
  commonAnnotations: labelMap.optional(),
  externalURL: z.string().max(4_096).optional(),
  alerts: z.array(AlertSchema).min(1).max(1_000),
});
export type AlertmanagerPayload = z.infer<typeof AlertmanagerPayloadSchema>;
