import { z } from 'zod';

/**
 * Kubernetes names never hold whitespace or control characters (DNS-1123 subdomains, path segments), so a name
 * that does is refused at intake rather than carried into prompts, Slack and the store.
 */
const objectName = z
  .string()
  .min(1)
  .max(253, 'a Kubernetes name is at most 253 characters')
  .regex(
    /^[^\s\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}/]+$/u,
    'a Kubernetes name holds no whitespace, control characters or "/"',
  );

/** A namespace is a DNS-1123 label. */
const namespaceName = z
  .string()
  .min(1)
  .max(63, 'a namespace is at most 63 characters')
  .regex(
    /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/,
    'a namespace is a DNS-1123 label: lower-case letters, digits and "-"',
  );

/** A Kubernetes object a fault or an action points at. `namespace` is absent for cluster-scoped kinds. */
export const ResourceRefSchema = z.object({
  apiVersion: z
    .string()
    .min(1)
    .max(253)
    .regex(/^[\w./-]+$/, 'an apiVersion is group/version, e.g. apps/v1'),
  kind: z
    .string()
    .min(1)
    .max(63)
    .regex(/^[A-Za-z][A-Za-z0-9]*$/, 'a kind is one word of letters and digits, e.g. Deployment'),
  namespace: namespaceName.optional(),
  name: objectName,
  uid: z.string().max(64).optional(),
});
export type ResourceRef = z.infer<typeof ResourceRefSchema>;

/** `Kind/namespace/name` (or `Kind/name` when cluster-scoped), the form people type in `/triage`. */
export function formatResource(ref: Pick<ResourceRef, 'kind' | 'namespace' | 'name'>): string {
  return ref.namespace === undefined ? `${ref.kind}/${ref.name}` : `${ref.kind}/${ref.namespace}/${ref.name}`;
}
