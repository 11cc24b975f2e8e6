import { z } from 'zod';

/** A Kubernetes object a fault or an action points at. `namespace` is absent for cluster-scoped kinds. */
export const ResourceRefSchema = z.object({
  apiVersion: z.string().min(1).max(253),
  kind: z.string().min(1).max(63),
  namespace: z.string().min(1).max(253).optional(),
  name: z.string().min(1).max(253),
  uid: z.string().max(64).optional(),
});
export type ResourceRef = z.infer<typeof ResourceRefSchema>;

/** `Kind/namespace/name` (or `Kind/name` when cluster-scoped), the form people type in `/triage`. */
export function formatResource(ref: Pick<ResourceRef, 'kind' | 'namespace' | 'name'>): string {
  return ref.namespace === undefined ? `${ref.kind}/${ref.name}` : `${ref.kind}/${ref.namespace}/${ref.name}`;
}
