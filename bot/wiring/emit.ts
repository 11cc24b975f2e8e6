/** `watchkeeper emit`: the Kubernetes watcher feeding the MCP fault-event server, for one cluster. */
import { ConfigError } from '../../core/domain/errors.ts';
import type { Fault } from '../../core/domain/fault.ts';
import type { Logger } from '../../core/ports/logger.ts';
import { createKubeWatcher } from '../../listeners/kube/kube-watcher.ts';
import { startEmitServer } from '../../listeners/mcp/emit-server.ts';
import type { Config } from '../config/config.ts';
import { findWatcherKubeConfig, watcherOptions } from './watcher.ts';

export interface EmitOptions {
  readonly host: string;
  readonly port: number;
  readonly token: string | undefined;
  readonly version: string;
}

export async function startEmit(
  config: Config,
  options: EmitOptions,
  logger: Logger,
): Promise<{ readonly url: string; stop(): Promise<void> }> {
  if (!options.token) {
    throw new ConfigError(
      'WATCHKEEPER_EMIT_TOKEN',
      'required: the bearer token MCP clients must send to this server',
    );
  }
  const found = findWatcherKubeConfig({ ...config, watcher: { ...config.watcher, enabled: true } }, logger);
  if (!found) throw new ConfigError('watcher.kubeconfig', 'no kubeconfig found for the cluster to serve');
  const server = await startEmitServer({
    cluster: config.cluster,
    token: options.token,
    host: options.host,
    port: options.port,
    logger: logger.child({ component: 'emit' }),
    version: options.version,
  }).catch((error: unknown) => {
    throw new ConfigError(
      '--port',
      `cannot listen on ${options.host}:${options.port}: ${(error as Error).message}`,
    );
  });
  const publish = (fault: Fault) => {
    server.publish(fault);
    return Promise.resolve();
  };
  const watcher = createKubeWatcher(watcherOptions(config, found, publish, logger));
  await watcher.start();
  logger.info(
    { url: server.url, cluster: config.cluster, kubeconfig: found.source },
    `serving the faults of cluster ${config.cluster} (${found.source}) at ${server.url}`,
  );
  return {
    url: server.url,
    async stop() {
      await watcher.stop();
      await server.close();
    },
  };
}
