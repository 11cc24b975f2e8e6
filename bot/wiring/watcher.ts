/** Starts the built-in Kubernetes fault watcher when configured (or, on `auto`, when a kubeconfig is found). */
import { ConfigError } from '../../core/domain/errors.ts';
import type { Logger } from '../../core/ports/logger.ts';
import type { FaultIntake } from '../../core/services/fault-intake.ts';
import { findKubeConfig, type KubeConfigChoice } from '../../listeners/kube/kube-config.ts';
import {
  createKubeWatcher,
  type KubeWatcher,
  type KubeWatcherOptions,
} from '../../listeners/kube/kube-watcher.ts';
import type { Config } from '../config/config.ts';

/** Checked before any state is written: a bad watcher setting stops the start with nothing half-done. */
export function findWatcherKubeConfig(config: Config, logger: Logger): KubeConfigChoice | undefined {
  const settings = config.watcher;
  if (settings.enabled === false) return undefined;
  const found = findKubeConfig({
    ...(settings.kubeconfig !== undefined && { file: settings.kubeconfig }),
    ...(settings.context !== undefined && { context: settings.context }),
  });
  if (!found) {
    if (settings.enabled === true || settings.kubeconfig !== undefined) {
      throw new ConfigError(
        'watcher.kubeconfig',
        `no kubeconfig at ${settings.kubeconfig ?? '$KUBECONFIG or ~/.kube/config'}`,
      );
    }
    logger.info(
      {},
      'no kubeconfig found: the Kubernetes watcher is off (set watcher.kubeconfig or KUBECONFIG)',
    );
    return undefined;
  }
  if (
    settings.context !== undefined &&
    !found.config.getContexts().some((c) => c.name === settings.context)
  ) {
    throw new ConfigError('watcher.context', `no context ${settings.context} in ${found.source}`);
  }
  return found;
}

/** The watcher's options from the `watcher:` settings; `sink` is where its faults go. */
export function watcherOptions(
  config: Config,
  found: KubeConfigChoice,
  sink: KubeWatcherOptions['sink'],
  logger: Logger,
): KubeWatcherOptions {
  const settings = config.watcher;
  return {
    kubeconfig: found.config,
    cluster: config.cluster,
    sink,
    logger: logger.child({ component: 'kube-watcher' }),
    filters: {
      includeNamespaces: settings.namespaces.include,
      excludeNamespaces: settings.namespaces.exclude,
      includeLabels: settings.labels.include,
      excludeLabels: settings.labels.exclude,
    },
    graceMs: settings.graceSeconds * 1000,
    cooldownMs: settings.cooldownSeconds * 1000,
    eventTtlMs: settings.eventTtlSeconds * 1000,
    healthyMs: settings.healthySeconds * 1000,
    fetchLogs: settings.fetchLogs,
    waitForList: false,
  };
}

export async function startWatcher(
  config: Config,
  found: KubeConfigChoice,
  intake: FaultIntake,
  logger: Logger,
): Promise<KubeWatcher> {
  const watcher = createKubeWatcher(watcherOptions(config, found, (fault) => intake.ingest(fault), logger));
  await watcher.start();
  logger.info(
    { kubeconfig: found.source, cluster: config.cluster },
    `watching ${found.source} as cluster ${config.cluster}`,
  );
  return watcher;
}
