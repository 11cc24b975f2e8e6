/**
 * The hardened Kubernetes Job (plus its ConfigMap and Secret) a triage run executes in: non-root, read-only root
 * filesystem, no privilege escalation, all capabilities dropped, RuntimeDefault seccomp, no ServiceAccount token
 * mounted (the run's own minted token comes in the Secret), resource limits, a deadline, and a TTL.
 */
import { dirname } from 'node:path';
import type { V1ConfigMap, V1Job, V1Secret, V1Toleration } from '@kubernetes/client-node';
import { podPaths } from '../pod/pod-run-spec.ts';

export interface JobSpecInput {
  readonly name: string;
  readonly namespace: string;
  readonly runId: string;
  readonly incidentId: string;
  readonly image: string;
  /** Default: the image's entry point (the in-pod runner, runners/pod). */
  readonly command?: readonly string[];
  readonly args?: readonly string[];
  readonly deadlineSeconds: number;
  readonly ttlSeconds: number;
  readonly resources: { readonly cpu: string; readonly memory: string };
  /** Files the runner reads (`pod-run-spec.json`): a ConfigMap mounted next to `podPaths.spec`. */
  readonly inputs: Readonly<Record<string, string>>;
  /**
   * Secret files (the run kubeconfig, nats.creds, the profile's secret env, the upload URLs): a Secret mounted at
   * `podPaths.secrets`, never environment variables (the agent's environment is the runner's to choose).
   */
  readonly secretFiles: Readonly<Record<string, string>>;
  readonly nodeSelector?: Readonly<Record<string, string>>;
  readonly tolerations?: readonly V1Toleration[];
  /** The node's network (a test cluster whose services listen on 127.0.0.1). */
  readonly hostNetwork?: boolean;
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
    stringData: { ...input.secretFiles },
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
          ...(input.tolerations && { tolerations: [...input.tolerations] }),
          ...(input.hostNetwork && { hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet' }),
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
              ...(input.command && { command: [...input.command] }),
              ...(input.args && { args: [...input.args] }),
              workingDir: podPaths.workspace,
              env: [
                { name: 'HOME', value: podPaths.workspace },
                { name: 'WATCHKEEPER_RUN_ID', value: input.runId },
                { name: 'WATCHKEEPER_INCIDENT_ID', value: input.incidentId },
              ],
              // The runner's one-line reason (or the log's tail) becomes the pod's termination message.
              terminationMessagePolicy: 'FallbackToLogsOnError',
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
                { name: 'input', mountPath: dirname(podPaths.spec), readOnly: true },
                { name: 'secret', mountPath: podPaths.secrets, readOnly: true },
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
