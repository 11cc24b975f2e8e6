/**
 * The hardened Kubernetes Job (plus its ConfigMap and Secret) a triage run executes in: non-root, read-only root
 * filesystem, no privilege escalation, all capabilities dropped, RuntimeDefault seccomp, no ServiceAccount token
 * mounted (the run's own minted token comes in the Secret), resource limits, a deadline, and a TTL.
 */
import type { V1ConfigMap, V1Job, V1Secret } from '@kubernetes/client-node';

export interface JobSpecInput {
  readonly name: string;
  readonly namespace: string;
  readonly runId: string;
  readonly incidentId: string;
  readonly image: string;
  readonly command: readonly string[];
  readonly args: readonly string[];
  readonly deadlineSeconds: number;
  readonly ttlSeconds: number;
  readonly resources: { readonly cpu: string; readonly memory: string };
  /** Files the agent reads (prompt, incident.json): go into a ConfigMap. */
  readonly inputs: Readonly<Record<string, string>>;
  /** Secret values (API keys, the run kubeconfig, upload URLs): go into a Secret, exposed as env and files. */
  readonly secretEnv: Readonly<Record<string, string>>;
  readonly kubeconfig?: string;
  readonly nodeSelector?: Readonly<Record<string, string>>;
}

const labels = (input: JobSpecInput) => ({
  'app.kubernetes.io/managed-by': 'watchkeeper',
  'app.kubernetes.io/component': 'triage-run',
  'watchkeeper.io/run': input.runId.toLowerCase().slice(0, 63),
});

export function jobObjects(input: JobSpecInput): { job: V1Job; configMap: V1ConfigMap; secret: V1Secret } {
  const meta = { name: input.name, namespace: input.namespace, labels: labels(input) };
  const configMap: V1ConfigMap = { metadata: meta, data: { ...input.inputs } };
  const secret: V1Secret = {
    metadata: meta,
    type: 'Opaque',
    stringData: { ...input.secretEnv, ...(input.kubeconfig && { kubeconfig: input.kubeconfig }) },
  };
  const job: V1Job = {
    metadata: { ...meta, annotations: { 'watchkeeper.io/incident': input.incidentId } },
    spec: {
      backoffLimit: 0,
      activeDeadlineSeconds: input.deadlineSeconds,
      ttlSecondsAfterFinished: input.ttlSeconds,
      template: {
        metadata: { labels: labels(input) },
        spec: {
          restartPolicy: 'Never',
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          ...(input.nodeSelector && { nodeSelector: { ...input.nodeSelector } }),
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 10001,
            runAsGroup: 10001,
            fsGroup: 10001,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          containers: [
            {
              name: 'agent',
              image: input.image,
              command: [...input.command],
              args: [...input.args],
              workingDir: '/workspace',
              env: [
                { name: 'HOME', value: '/workspace' },
                { name: 'KUBECONFIG', value: '/run/watchkeeper/secret/kubeconfig' },
                { name: 'WATCHKEEPER_RUN_ID', value: input.runId },
                { name: 'WATCHKEEPER_INCIDENT_ID', value: input.incidentId },
                { name: 'WATCHKEEPER_INPUT_DIR', value: '/run/watchkeeper/input' },
              ],
              envFrom: [{ secretRef: { name: input.name } }],
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                privileged: false,
                capabilities: { drop: ['ALL'] },
              },
              resources: {
                requests: { cpu: input.resources.cpu, memory: input.resources.memory },
                limits: { cpu: input.resources.cpu, memory: input.resources.memory },
              },
              volumeMounts: [
                { name: 'workspace', mountPath: '/workspace' },
                { name: 'tmp', mountPath: '/tmp' },
                { name: 'input', mountPath: '/run/watchkeeper/input', readOnly: true },
                { name: 'secret', mountPath: '/run/watchkeeper/secret', readOnly: true },
              ],
            },
          ],
          volumes: [
            { name: 'workspace', emptyDir: { sizeLimit: '1Gi' } },
            { name: 'tmp', emptyDir: { sizeLimit: '256Mi' } },
            { name: 'input', configMap: { name: input.name } },
            { name: 'secret', secret: { secretName: input.name, defaultMode: 0o400 } },
          ],
        },
      },
    },
  };
  return { job, configMap, secret };
}
