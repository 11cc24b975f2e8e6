/** Finds the kubeconfig the watcher uses: an explicit file, then $KUBECONFIG, ~/.kube/config, in-cluster. */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';

export interface KubeConfigChoice {
  readonly config: KubeConfig;
  /** Where it came from, for the start-up log. */
  readonly source: string;
}

export function findKubeConfig(
  options: { readonly file?: string; readonly context?: string },
  env: Readonly<Record<string, string | undefined>> = process.env,
): KubeConfigChoice | undefined {
  const config = new KubeConfig();
  const candidates = [options.file, env.KUBECONFIG?.split(':')[0], join(homedir(), '.kube', 'config')];
  const file = candidates.find(
    (path): path is string => path !== undefined && path !== '' && existsSync(path),
  );
  if (file) {
    config.loadFromFile(file);
    if (options.context) config.setCurrentContext(options.context);
    return { config, source: `${file} (context ${config.getCurrentContext()})` };
  }
  if (options.file !== undefined) return undefined;
  if (env.KUBERNETES_SERVICE_HOST && existsSync('/var/run/secrets/kubernetes.io/serviceaccount/token')) {
    config.loadFromCluster();
    return { config, source: 'in-cluster service account' };
  }
  return undefined;
}
