import { mkdir } from 'node:fs/promises';
import type { Bus } from '../../core/ports/bus.ts';
import type { Logger } from '../../core/ports/logger.ts';
import type { ReportStore } from '../../core/ports/report-store.ts';
import type { Store } from '../../core/ports/store.ts';
import { createFolderLinkHandler } from '../../runners/reports/folder-link-handler.ts';
import { createFolderReportStore } from '../../runners/reports/folder-report-store.ts';
import type { Config } from '../config/config.ts';
import { systemClock } from '../../core/ports/clock.ts';
import { createFaultIntake, type FaultIntake } from '../../core/services/fault-intake.ts';
import { createLifecycleService, type LifecycleService } from '../../core/services/lifecycle-service.ts';
import { startHttpServer, type HttpServer } from '../http/http-server.ts';
import { createWebhookHandler } from '../../listeners/webhooks/webhook-handler.ts';
import { listenerStatusRoute } from './listener-status.ts';
import { faultTtlsFromConfig, startMcpListeners } from './mcp-listeners.ts';
import { startMaintenance } from './maintenance.ts';
import { checkTriageConfig, startTriage } from './triage.ts';
import { findWatcherKubeConfig, startWatcher } from './watcher.ts';
import { uuidV7Gen } from './uuid-v7.ts';
import { checkSlackToken, startSlack } from './slack.ts';
import { startRemediation } from './remediation.ts';
import { hostname } from 'node:os';
import { checkRemoteDatabase, openBus, openDatabase, openS3IfConfigured } from './adapters.ts';
import { loadOrCreateSigningKey } from './signing-key.ts';
import { createMetricsRegistry } from '../metrics/metrics-registry.ts';
import { WatchkeeperError } from '../../core/domain/watchkeeper-error.ts';

export interface Runtime {
  readonly url: string;
  readonly store: Store;
  readonly bus: Bus;
  readonly reports: ReportStore;
  /** Where every fault source hands its faults. */
  readonly intake: FaultIntake;
  readonly lifecycle: LifecycleService;
  stop(): Promise<void>;
}

/**
 * The composition root. Order matters: remote dependencies are checked and the port is bound before any local
 * state is created or migrated, so a bad setting fails with nothing written.
 */
export async function startRuntime(config: Config, logger: Logger): Promise<Runtime> {
  const cleanups: (() => Promise<void> | void)[] = [];
  const stopAll = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) {
      try {
        await cleanup();
      } catch (error) {
        logger.warn({ err: error }, 'error while shutting down');
      }
    }
  };
  try {
    const prometheus = createMetricsRegistry();
    const { metrics } = prometheus;
    await checkRemoteDatabase(config);
    const kubeconfig = findWatcherKubeConfig(config, logger);
    checkTriageConfig(config, kubeconfig);
    const slackIdentity = config.slack ? await checkSlackToken(config.slack, metrics) : undefined;
    const s3 = await openS3IfConfigured(config);
    if (s3) cleanups.push(() => s3.close());
    const bus = await openBus(config, logger);
    cleanups.push(() => bus.close());
    const http: HttpServer = await startHttpServer({
      host: config.server.host,
      port: config.server.port,
      logger,
      metrics: () => prometheus.render(),
    });
    cleanups.push(() => http.close());

    const store = await openDatabase(config);
    cleanups.push(() => store.close());
    logger.info(
      { database: store.location, migrationsApplied: store.migrationsApplied },
      store.migrationsApplied > 0
        ? `database migrated (${store.migrationsApplied} applied)`
        : 'database schema is current',
    );

    let reports: ReportStore;
    if (s3) {
      reports = s3;
    } else {
      const folder = config.reports.store.kind === 'folder' ? config.reports.store : undefined;
      if (!folder) throw new WatchkeeperError('internal', 'reports.kind is s3 but no S3 store was opened');
      await mkdir(folder.path, { recursive: true });
      const baseUrl = config.server.publicUrl ?? http.url;
      const signingKey = folder.signingKey?.reveal() ?? (await loadOrCreateSigningKey(config.stateDir));
      const store = createFolderReportStore({ root: folder.path, baseUrl: () => baseUrl, signingKey });
      http.use(createFolderLinkHandler(store));
      reports = store;
    }

    const lifecycle = createLifecycleService({ store, bus, logger });
    // Live: MCP servers left on the default TTL get theirs once connected.
    const faultTtls = faultTtlsFromConfig(config);
    const incidentSettings = { ...config.incidents, faultTtlMs: faultTtls };
    const intake = createFaultIntake({
      store,
      bus,
      clock: systemClock,
      ids: uuidV7Gen,
      logger: logger.child({ component: 'intake' }),
      lifecycle,
      settings: incidentSettings,
      metrics,
    });
    if (config.webhookToken) {
      http.use(
        createWebhookHandler({
          token: config.webhookToken.reveal(),
          defaultCluster: config.cluster,
          sink: (fault) => intake.ingest(fault),
          logger: logger.child({ component: 'webhooks' }),
        }),
      );
      logger.info(
        {},
        `webhooks accept faults at ${http.url}/webhooks/alertmanager and ${http.url}/webhooks/faults`,
      );
    } else {
      logger.info(
        {},
        'webhooks are off (set WATCHKEEPER_WEBHOOK_TOKEN to accept Alertmanager and JSON faults)',
      );
    }
    const supervisor = startMcpListeners(
      config,
      { intake, faultTtls, kubeconfig },
      logger.child({ component: 'mcp' }),
    );
    if (supervisor) cleanups.push(() => supervisor.stop());
    http.use(listenerStatusRoute(() => supervisor?.states() ?? []));
    prometheus.addStateGauges({
      store,
      clock: systemClock,
      breaker: config.incidents.breaker,
      listeners: () => supervisor?.states() ?? [],
      logger: logger.child({ component: 'metrics' }),
    });
    if (kubeconfig) {
      const watcher = await startWatcher(config, kubeconfig, intake, logger);
      cleanups.push(() => watcher.stop());
    }
    const remediation = startRemediation(
      config,
      { store, lifecycle, reports, kubeconfig, owner: `${hostname()}:${process.pid}` },
      logger.child({ component: 'remediation' }),
    );
    if (remediation) cleanups.push(() => remediation.stop());
    if (config.slack && slackIdentity) {
      const slack = await startSlack(
        { ...config, slack: config.slack },
        slackIdentity,
        { store, bus, reports, lifecycle, intake, http, remediation: remediation?.service, metrics },
        logger.child({ component: 'slack' }),
      );
      cleanups.push(() => slack.stop());
    } else {
      logger.info({}, 'Slack is off (set WATCHKEEPER_SLACK_BOT_TOKEN to post incidents and take commands)');
    }
    const scheduler = startTriage(config, { store, bus, lifecycle, reports, kubeconfig, metrics }, logger);
    if (scheduler) cleanups.push(() => scheduler.stop({ abandon: true }));
    const maintenance = startMaintenance({ store, lifecycle, clock: systemClock }, incidentSettings, logger);
    cleanups.push(() => maintenance.stop());

    http.setReady(true);
    logger.info(
      {
        url: http.url,
        state: describeState(config, store.location),
        bus: config.bus.kind,
        reports: config.reports.store.kind,
        cluster: config.cluster,
      },
      `Watchkeeper is listening on ${http.url}; state lives in ${describeState(config, store.location)}`,
    );
    return {
      url: http.url,
      store,
      bus,
      reports,
      intake,
      lifecycle,
      stop: async () => {
        http.setReady(false);
        await stopAll();
      },
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

function describeState(config: Config, databaseLocation: string): string {
  const embedded = config.database.kind === 'pglite' || config.reports.store.kind === 'folder';
  return embedded ? config.stateDir : databaseLocation;
}
