/** The scenarios' environment inside vitest: the harness services global setup started (postgres, kube, node). */
import { harness } from '../harness/use.ts';
import type { DynamicsEnv } from './watchkeeper-on-cluster.ts';

export function dynamicsEnv(): DynamicsEnv {
  return {
    kubeconfigPath: harness('kube').kubeconfigPath,
    node: harness('node'),
    postgresUrl: harness('postgres').url,
  };
}
