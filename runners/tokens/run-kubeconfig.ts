/** A kubeconfig for a run: the cluster Watchkeeper talks to, and the run's token as the only user. */
import type { KubeConfig } from '@kubernetes/client-node';
import { readFileSync } from 'node:fs';
import { stringify } from 'yaml';

export function runKubeconfig(base: KubeConfig, token: string): string {
  const cluster = base.getCurrentCluster();
  if (!cluster) throw new Error('the kubeconfig has no current cluster');
  const caData =
    cluster.caData ?? (cluster.caFile ? readFileSync(cluster.caFile).toString('base64') : undefined);
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: 'cluster',
        cluster: {
          server: cluster.server,
          ...(caData ? { 'certificate-authority-data': caData } : {}),
          ...(cluster.skipTLSVerify ? { 'insecure-skip-tls-verify': true } : {}),
        },
      },
    ],
    users: [{ name: 'triage', user: { token } }],
    contexts: [{ name: 'triage', context: { cluster: 'cluster', user: 'triage' } }],
    'current-context': 'triage',
  });
}
