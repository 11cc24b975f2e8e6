/**
 * Per-run credentials: a ServiceAccount token from the TokenRequest API, bound to a Secret made for this run.
 * The token expires at the run's deadline plus a margin (the apiserver's minimum is 10 minutes) and dies when the
 * run ends: revoking deletes the bound Secret, and the apiserver refuses the token once its authentication cache
 * forgets it (about 10 s, measured on the harness apiserver).
 */
import { ApiException, CoreV1Api, type KubeConfig } from '@kubernetes/client-node';

export interface RunTokenSettings {
  readonly namespace: string;
  readonly serviceAccount: string;
}

export interface RunToken {
  readonly token: string;
  readonly expiresAt: Date;
  /** Kills the token now (idempotent). */
  revoke(): Promise<void>;
}

const minimumSeconds = 600;

export async function mintRunToken(
  kubeconfig: KubeConfig,
  settings: RunTokenSettings,
  run: { readonly id: string; readonly deadline: Date; readonly marginSeconds?: number },
): Promise<RunToken> {
  const core = kubeconfig.makeApiClient(CoreV1Api);
  const name = `wk-run-${run.id.toLowerCase().replace(/[^a-z0-9-]/g, '-')}`.slice(0, 63).replace(/-+$/, '');
  const anchor = await core.createNamespacedSecret({
    namespace: settings.namespace,
    body: {
      metadata: {
        name,
        labels: { 'app.kubernetes.io/managed-by': 'watchkeeper', 'watchkeeper.io/run': name },
      },
      type: 'Opaque',
    },
  });
  const revoke = async () => {
    await core.deleteNamespacedSecret({ name, namespace: settings.namespace }).catch((error: unknown) => {
      if (!(error instanceof ApiException && error.code === 404)) throw error;
    });
  };
  try {
    const wanted = Math.ceil((run.deadline.getTime() - Date.now()) / 1000) + (run.marginSeconds ?? 120);
    const request = await core.createNamespacedServiceAccountToken({
      name: settings.serviceAccount,
      namespace: settings.namespace,
      body: {
        spec: {
          audiences: [],
          expirationSeconds: Math.max(minimumSeconds, wanted),
          boundObjectRef: { apiVersion: 'v1', kind: 'Secret', name, uid: anchor.metadata?.uid ?? '' },
        },
      },
    });
    const token = request.status?.token;
    if (!token) throw new Error('the apiserver returned no token');
    return { token, expiresAt: new Date(request.status?.expirationTimestamp ?? Date.now()), revoke };
  } catch (error) {
    await revoke().catch(() => undefined);
    throw error;
  }
}
