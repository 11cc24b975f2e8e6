/** Placeholder until the control plane lands: fails saying so. */
export interface KubeInfo {
  readonly kubeconfigPath: string;
  readonly server: string;
}

export function ensureKube(): Promise<KubeInfo> {
  return Promise.reject(
    new Error('harness: the kube service is not implemented yet; set WATCHKEEPER_HARNESS without kube'),
  );
}
