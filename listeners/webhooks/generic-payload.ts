/**
 * The generic JSON webhook, for any system that can POST: `{ "faults": [ ... ] }`, each fault naming a stable
 * `id` for its condition (the same id for firing and resolved), a class, a severity and a resource.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { FaultClassSchema, faultLimits, type Fault } from '../../core/domain/fault.ts';
import { redact, redactBounded } from '../../core/domain/redact.ts';
import { ResourceRefSchema } from '../../core/domain/resource.ts';
import { SeveritySchema } from '../../core/domain/severity.ts';

export const GenericFaultSchema = z.strictObject({
  id: z.string().min(1).max(256),
  cluster: z.string().min(1).max(128).optional(),
  class: FaultClassSchema.default('Other'),
  severity: SeveritySchema.default('warning'),
  resource: ResourceRefSchema,
  container: z.string().max(253).optional(),
  reason: z.string().max(256).optional(),
  message: z.string().max(64_000).optional(),
  resolved: z.boolean().default(false),
  observedAt: z.coerce.date().optional(),
});

export const GenericPayloadSchema = z.strictObject({ faults: z.array(GenericFaultSchema).min(1).max(1_000) });
export type GenericPayload = z.infer<typeof GenericPayloadSchema>;

export function genericToFault(
  input: z.infer<typeof GenericFaultSchema>,
  options: { readonly sourceName: string; readonly defaultCluster: string; readonly now: Date },
): Fault {
  const hash = createHash('sha256')
    .update(`${options.sourceName}\u0000${input.id}`)
    .digest('hex')
    .slice(0, 24);
  return {
    source: { kind: 'webhook', name: options.sourceName },
    cluster: input.cluster ?? options.defaultCluster,
    faultId: `hook-${hash}`,
    class: input.class,
    severity: input.severity,
    resource: input.resource,
    ...(input.container !== undefined && { container: input.container }),
    context: {
      ...(input.reason !== undefined && { reason: redact(input.reason) }),
      ...(input.message !== undefined && { message: redactBounded(input.message, faultLimits.message) }),
    },
    observedAt: input.observedAt ?? options.now,
    resolved: input.resolved,
  };
}
