/** `watchkeeper emit`: the Kubernetes watcher feeding the MCP fault-event server, for one cluster. */
import { ConfigError } from '../../core/domain/errors.ts';
import type { Logger } from '../../core/ports/logger.ts';
import { createKubeWatcher } from '../../listeners/kube/kube-watcher.ts';
import { startEmitServer } from '../../listeners/mcp/emit-server.ts';
import type { Config } from '../config/config.ts';
import { findWatcherKubeConfig } from './watcher.ts';

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
  const watcher = createKubeWatcher({
    kubeconfig: found.config,
    cluster: config.cluster,
    sink: (fault) => {
      server.publish(fault);
      return Promise.resolve();
    },
    logger: logger.child({ component: 'kube-watcher' }),
    filters: {
      includeNamespaces: config.watcher.namespaces.include,
      excludeNamespaces: config.watcher.namespaces.exclude,
      includeLabels: config.watcher.labels.include,
      excludeLabels: config.watcher.labels.exclude,
    },
    graceMs: config.watcher.graceSeconds * 1000,
    cooldownMs: config.watcher.cooldownSeconds * 1000,
    eventTtlMs: config.watcher.eventTtlSeconds * 1000,
    fetchLogs: config.watcher.fetchLogs,
    waitForList: false,
  });
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
