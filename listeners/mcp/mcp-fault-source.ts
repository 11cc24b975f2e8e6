/**
 * One MCP server that pushes faults, held open for good. It initializes, finds how the server pushes (the fork's
 * events_subscribe + logging, or resource subscriptions), reconciles the current faults after every (re)connect,
 * pings, and recycles the whole session with backoff and jitter on anything the SDK client does not recover from
 * by itself (lost session/404, exhausted stream reconnects, failed pings).
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  LoggingMessageNotificationSchema,
  ResourceListChangedNotificationSchema,
  ResourceUpdatedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { Agent, fetch as undiciFetch } from 'undici';
import type { Fault } from '../../core/domain/fault.ts';
import type { Logger } from '../../core/ports/logger.ts';
import { faultsLogger } from './fault-wire.ts';
import { faultFromWire } from './from-wire.ts';
import { ownersFromCluster, withClusterOwners, type ClusterAccess } from './owner-lookup.ts';
import { PodRecheck } from './pod-recheck.ts';
import { deliveryKey, RecentKeys } from './recent-keys.ts';
import { retryPolicies } from '../../core/domain/retry-policies.ts';
import { withRetry, type RetryAttempt } from '../../core/services/retry.ts';
import { Semaphore } from './semaphore.ts';
import { endsSession } from './session-errors.ts';
import {
  chooseMechanism,
  McpConfigurationError,
  notReconcilableReason,
  readOffer,
  type Mechanism,
  type ReconcileVia,
} from './server-offer.ts';
import { WatchkeeperError } from '../../core/domain/watchkeeper-error.ts';

export interface McpServerSettings {
  readonly name: string;
  /** Streamable HTTP endpoint; or, for a local server, `stdio` with the command to run. */
  readonly url?: string;
  readonly stdio?: {
    readonly command: string;
    readonly args: readonly string[];
    readonly env?: Readonly<Record<string, string>>;
  };
  readonly token?: string;
  /** Our name for the server's cluster (the fork reports its kubeconfig context name). */
  readonly cluster?: string;
  /** `auto` prefers the fork's events_subscribe, else resource subscriptions. */
  readonly mechanism?: 'auto' | 'logging' | 'resources';
  readonly pingIntervalMs?: number;
  readonly maxBackoffMs?: number;
  /**
   * How long a fault of this server lives without being sent again; 0 turns expiry off. Unset: 30 minutes when
   * the server cannot be reconciled (nothing to list after a reconnect, as the public fork), else off.
   */
  readonly faultTtlMs?: number;
  /** How often firing pod faults are re-checked against the cluster (only with cluster access and a TTL). */
  readonly recheckIntervalMs?: number;
}

export interface SourceOptions {
  /** Shared by every source of a supervisor: a network blip must not re-initialize hundreds of sessions at once. */
  readonly setups?: Semaphore;
  /** Read access to the cluster this server's faults are about, when Watchkeeper has it. */
  readonly access?: ClusterAccess;
  /** Told the TTL that applies to this server's faults once it is known (`undefined`: they do not expire). */
  readonly onFaultTtl?: (ttlMs: number | undefined) => void;
}

/**
 * The TTL for servers that cannot be reconciled, unless configured: the fork sends a fault that still holds
 * again at its next state change after its own 15-minute suppression, so a fault unseen for twice that is over.
 */
export const defaultUnreconcilableTtlMs = 30 * 60_000;

export interface SourceState {
  readonly name: string;
  readonly url: string;
  /** `misconfigured`: a setting cannot work against this server (see lastError); it is not retried. */
  readonly status: 'connecting' | 'connected' | 'waiting' | 'stopped' | 'misconfigured';
  readonly mechanism?: Mechanism;
  /** How the faults that hold are listed after a reconnect; `none`: faults of an outage are lost. */
  readonly reconcile?: ReconcileVia | 'none';
  /** Why the server cannot be reconciled, when it cannot. */
  readonly notReconcilable?: string;
  /** The TTL its faults expire after when not sent again; absent: they do not expire. */
  readonly faultTtlMinutes?: number;
  /** Firing pod faults are re-checked against the cluster; a gone pod's fault is cleared. */
  readonly podRecheck: boolean;
  /** Faults whose owners came from the cluster; faults cleared because their pod was gone. */
  readonly ownersFromCluster: number;
  readonly podsGone: number;
  readonly since?: Date;
  readonly lastEventAt?: Date;
  readonly connects: number;
  readonly faults: number;
  readonly dropped: number;
  readonly lastError?: string;
}

const maxNotificationBytes = 256 * 1024;
/** Silent SSE bodies must not time out (undici's default 300 s kills idle GET streams). */
const streamingAgent = new Agent({ bodyTimeout: 0, headersTimeout: 30_000, keepAliveTimeout: 30_000 });

/** Each request gets its own AbortController (the SDK passes one lifetime signal to every fetch). */
const streamingFetch = (url: string | URL, init?: RequestInit): Promise<Response> => {
  const controller = new AbortController();
  const parent = init?.signal;
  if (parent?.aborted) controller.abort(parent.reason);
  const onAbort = () => controller.abort(parent?.reason);
  parent?.addEventListener('abort', onAbort, { once: true });
  return (
    undiciFetch(url, {
      ...(init as object),
      signal: controller.signal,
      dispatcher: streamingAgent,
    }) as unknown as Promise<Response>
  ).finally(() => parent?.removeEventListener('abort', onAbort));
};

export class McpFaultSource {
  private readonly settings: McpServerSettings;
  private readonly sink: (fault: Fault) => Promise<unknown>;
  private readonly logger: Logger;
  private state: SourceState;
  private client: Client | undefined;
  private transport: StreamableHTTPClientTransport | StdioClientTransport | undefined;
  private stopped = false;
  /** Aborts the wait between sessions: stopping during an outage returns at once. */
  private readonly stopping = new AbortController();
  private failed: ((reason: string) => void) | undefined;
  private readonly seen = new RecentKeys();
  private warnedMalformed = false;
  private warnedUnreconcilable = false;
  private readonly setups: Semaphore;
  private readonly options: SourceOptions;
  /** Per faultId, the delivery in flight: a fault and its clear reach the sink in the order they came. */
  private readonly inFlight = new Map<string, Promise<void>>();
  private recheck: PodRecheck | undefined;
  private recheckTimer: NodeJS.Timeout | undefined;

  constructor(
    settings: McpServerSettings,
    sink: (fault: Fault) => Promise<unknown>,
    logger: Logger,
    options: SourceOptions = {},
  ) {
    this.setups = options.setups ?? new Semaphore(1);
    this.options = options;
    this.settings = settings;
    this.sink = sink;
    this.logger = logger.child({ mcpServer: settings.name });
    const stdio = settings.stdio;
    this.state = {
      name: settings.name,
      url: settings.url ?? (stdio ? `stdio: ${[stdio.command, ...stdio.args].join(' ')}` : ''),
      status: 'connecting',
      connects: 0,
      faults: 0,
      dropped: 0,
      podRecheck: false,
      ownersFromCluster: 0,
      podsGone: 0,
    };
  }

  current(): SourceState {
    return this.state;
  }

  /** Runs until stop(): connect, serve, and on any failure wait (backoff with jitter) and start over. */
  async run(): Promise<void> {
    try {
      await withRetry(
        (attempt) => this.session(attempt),
        retryPolicies.mcpSession(this.settings.maxBackoffMs),
        {
          what: `MCP server ${this.settings.name}`,
          signal: this.stopping.signal,
          logger: this.logger,
          retryable: (error) => !(error instanceof McpConfigurationError),
          onRetry: ({ error }) => this.update({ status: 'waiting', lastError: describe(error) }),
        },
      );
    } catch (error) {
      if (!(error instanceof McpConfigurationError) || this.isStopped()) {
        this.update({ status: 'stopped' });
        return;
      }
      await this.teardown();
      this.update({ status: 'misconfigured', lastError: error.message });
      this.logger.error(
        { problem: error.message },
        `MCP server ${this.settings.name} cannot be used as configured: ${error.message}; not retrying`,
      );
    }
  }

  /** Read through a method: stop() flips the flag while run() awaits. */
  private isStopped(): boolean {
    return this.stopped;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.stopping.abort(new WatchkeeperError('stopping', `MCP server ${this.settings.name}: stopping`));
    clearInterval(this.recheckTimer);
    this.failed?.('stopping');
    await this.teardown();
  }

  /** One session from initialize to failure; rejects with why it ended (a session never ends otherwise). */
  private async session(attempt: RetryAttempt): Promise<never> {
    await this.teardown();
    this.update({ status: 'connecting' });
    const ended = new Promise<string>((resolve) => {
      this.failed = resolve;
    });
    const transport = this.newTransport();
    const client = new Client({ name: 'watchkeeper', version: '0.1.0' }, { capabilities: {} });
    this.client = client;
    this.transport = transport;
    client.onerror = (error) => {
      if (endsSession(error)) this.failed?.(describe(error));
    };
    client.onclose = () => this.failed?.('the connection closed');
    client.setNotificationHandler(LoggingMessageNotificationSchema, (note) => {
      if (note.params.logger === faultsLogger) void this.accept(note.params.data);
      else if (note.params.logger === 'kubernetes/subscription_error')
        this.failed?.('the server reported its subscription degraded');
    });
    client.setNotificationHandler(ResourceUpdatedNotificationSchema, (note) => {
      void this.readResource(note.params.uri).catch((error: unknown) => this.failed?.(describe(error)));
    });
    client.setNotificationHandler(ResourceListChangedNotificationSchema, () => undefined);

    const release = await this.setups.acquire();
    try {
      await this.setUp(client, transport);
    } finally {
      release();
    }
    attempt.reset(); // it was up: the next outage starts the backoff afresh
    const ping = setInterval(() => {
      client
        .ping({ timeout: 10_000 })
        .catch((error: unknown) => this.failed?.(`ping failed: ${describe(error)}`));
    }, this.settings.pingIntervalMs ?? 30_000);
    try {
      throw new McpSessionEnded(await ended);
    } finally {
      clearInterval(ping);
    }
  }

  /** Initialize, subscribe the way the server offers, and reconcile. */
  private async setUp(
    client: Client,
    transport: StreamableHTTPClientTransport | StdioClientTransport,
  ): Promise<void> {
    await client.connect(transport);
    const capabilities = client.getServerCapabilities() ?? {};
    const tools = capabilities.tools ? (await client.listTools()).tools.map((t) => t.name) : [];
    const choice = chooseMechanism(
      readOffer(capabilities, tools),
      this.settings.mechanism ?? 'auto',
      this.settings.name,
    );
    if (choice.mechanism === 'logging') {
      if (capabilities.logging) await client.setLoggingLevel('info');
      if (tools.includes('events_subscribe')) {
        const result = await client.callTool({ name: 'events_subscribe', arguments: { mode: 'faults' } });
        if (result.isError)
          throw new WatchkeeperError(
            'unexpected_answer',
            `events_subscribe refused: ${JSON.stringify(result.content)}`,
            {
              retryable: true,
            },
          );
      }
    } else {
      const { resources } = await client.listResources();
      const list = resources.find(
        (r) => /faults/i.test(r.uri) && !r.uri.slice(r.uri.indexOf('faults') + 6).includes('/'),
      );
      for (const resource of list ? [list] : resources) await client.subscribeResource({ uri: resource.uri });
    }
    this.update({ mechanism: choice.mechanism, reconcile: choice.reconcile ?? 'none' });
    this.applyLimits(choice.reconcile !== undefined);
    await this.reconcile(choice.reconcile);
    // Connected once what holds now is in: a cut during reconciliation starts the session over.
    this.update({ status: 'connected', since: new Date(), connects: this.state.connects + 1 });
    this.logger.info({ mechanism: this.state.mechanism }, `MCP server ${this.settings.name} connected`);
  }

  /** Once the server is known: what cannot be recovered is said once, and its faults' TTL and re-check set. */
  private applyLimits(reconcilable: boolean): void {
    const name = this.settings.name;
    const configured = this.settings.faultTtlMs;
    const ttlMs =
      configured === undefined
        ? reconcilable
          ? undefined
          : defaultUnreconcilableTtlMs
        : configured || undefined;
    const reason = reconcilable ? undefined : notReconcilableReason(name);
    const access = this.options.access;
    const recheck = ttlMs !== undefined && access !== undefined;
    this.update({
      ...(reason !== undefined && { notReconcilable: reason }),
      ...(ttlMs !== undefined && { faultTtlMinutes: ttlMs / 60_000 }),
      podRecheck: recheck,
    });
    if (reason === undefined) {
      const { notReconcilable: _, ...rest } = this.state;
      this.state = rest;
    }
    if (ttlMs === undefined) {
      const { faultTtlMinutes: _, ...rest } = this.state;
      this.state = rest;
    }
    this.options.onFaultTtl?.(ttlMs);
    if (reason !== undefined && !this.warnedUnreconcilable) {
      this.warnedUnreconcilable = true;
      this.logger.warn(
        { reconcile: 'none', faultTtlMinutes: this.state.faultTtlMinutes, podRecheck: recheck },
        `MCP server ${name}: faults raised while disconnected from ${name} cannot be recovered (it offers no list_faults tool and no fault resources); ${
          ttlMs === undefined
            ? 'its faults never expire (faultTtlMinutes: 0)'
            : `its faults expire ${ttlMs / 60_000} min after they were last sent`
        }${recheck ? ', and its pod faults are re-checked against the cluster' : ''}`,
      );
    }
    if (recheck && !this.recheck) this.startRecheck(access, ttlMs);
  }

  private startRecheck(access: ClusterAccess, forgetAfterMs: number): void {
    const recheck = new PodRecheck({
      access,
      forgetAfterMs,
      clear: (fault) =>
        this.inOrder(fault.faultId, async () => {
          await this.sink(fault);
          this.update({ podsGone: this.state.podsGone + 1 });
          this.logger.info(
            { faultId: fault.faultId, pod: `${fault.resource.namespace ?? ''}/${fault.resource.name}` },
            `MCP server ${this.settings.name}: pod ${fault.resource.namespace ?? ''}/${fault.resource.name} is gone; its fault is cleared`,
          );
        }),
    });
    this.recheck = recheck;
    this.recheckTimer = setInterval(() => {
      void recheck.round().catch(() => undefined);
    }, this.settings.recheckIntervalMs ?? 60_000);
    this.recheckTimer.unref();
  }

  /** Runs `work` after whatever is in flight for the same faultId. */
  private inOrder(faultId: string, work: () => Promise<void>): Promise<void> {
    const previous = this.inFlight.get(faultId) ?? Promise.resolve();
    const next = previous.then(work, work);
    this.inFlight.set(faultId, next);
    const forget = () => {
      if (this.inFlight.get(faultId) === next) this.inFlight.delete(faultId);
    };
    next.then(forget, forget);
    return next;
  }

  private newTransport(): StreamableHTTPClientTransport | StdioClientTransport {
    const { stdio, url } = this.settings;
    if (stdio) {
      return new StdioClientTransport({
        command: stdio.command,
        args: [...stdio.args],
        env: { ...getDefaultEnvironment(), ...stdio.env },
        stderr: 'ignore',
      });
    }
    if (!url) throw new Error('neither a url nor a stdio command is configured');
    return new StreamableHTTPClientTransport(new URL(url), {
      fetch: streamingFetch,
      ...(this.settings.token && {
        requestInit: { headers: { Authorization: `Bearer ${this.settings.token}` } },
      }),
      reconnectionOptions: {
        initialReconnectionDelay: 500,
        maxReconnectionDelay: 5_000,
        reconnectionDelayGrowFactor: 1.5,
        maxRetries: 5,
      },
    });
  }

  /** After every (re)connect: what holds now, so faults raised while disconnected are not missed. */
  private async reconcile(via: ReconcileVia | undefined): Promise<void> {
    const client = this.client;
    if (!client) return;
    if (via === 'list_faults') {
      const result = await client.callTool({ name: 'list_faults', arguments: {} });
      const first = (result.content as { type: string; text?: string }[] | undefined)?.[0];
      const parsed =
        first?.text === undefined ? undefined : (JSON.parse(first.text) as { faults?: unknown[] });
      for (const data of parsed?.faults ?? []) await this.accept(data);
    } else if (via === 'resources') {
      const { resources } = await client.listResources();
      for (const resource of resources) await this.readResource(resource.uri);
    }
  }

  private async readResource(uri: string): Promise<void> {
    const client = this.client;
    if (!client) return;
    const { contents } = await client.readResource({ uri });
    for (const content of contents) {
      if (!('text' in content) || typeof content.text !== 'string') continue;
      const data = JSON.parse(content.text) as unknown;
      for (const item of Array.isArray(data) ? data : [data]) await this.accept(item);
    }
  }

  /** Validates one notification's data and hands the fault on; bad input is counted, logged once, dropped. */
  private async accept(data: unknown): Promise<void> {
    let size: number;
    try {
      size = JSON.stringify(data).length;
    } catch {
      size = Infinity;
    }
    const result =
      size > maxNotificationBytes
        ? ({ ok: false, problem: `${size} bytes is over the ${maxNotificationBytes}-byte limit` } as const)
        : faultFromWire(data, {
            serverName: this.settings.name,
            ...(this.settings.cluster && { cluster: this.settings.cluster }),
          });
    if (!result.ok) {
      this.update({ dropped: this.state.dropped + 1 });
      if (!this.warnedMalformed) {
        this.warnedMalformed = true;
        this.logger.warn(
          { problem: result.problem },
          `MCP server ${this.settings.name} sent a malformed fault; dropping such (counted)`,
        );
      }
      return;
    }
    const key = deliveryKey(result.fault);
    this.update({ lastEventAt: new Date() });
    if (this.seen.has(key)) return;
    await this.inOrder(result.fault.faultId, () => this.deliver(result.fault, key));
  }

  private async deliver(received: Fault, key: string): Promise<void> {
    const access = this.options.access;
    const fault = access ? await withClusterOwners(received, access) : received;
    try {
      await this.sink(fault);
    } catch (error) {
      // Not stored: start over, and the reconciliation after reconnecting delivers it again.
      this.failed?.(`a fault could not be stored: ${describe(error)}`);
      return;
    }
    this.seen.add(key);
    this.recheck?.observe(fault);
    const enriched = (fault.raw as { ownersFrom?: string } | undefined)?.ownersFrom === ownersFromCluster;
    this.update({
      faults: this.state.faults + 1,
      ownersFromCluster: this.state.ownersFromCluster + (enriched && fault !== received ? 1 : 0),
    });
  }

  private async teardown(): Promise<void> {
    const transport = this.transport;
    const client = this.client;
    this.transport = undefined;
    this.client = undefined;
    if (!transport || !client) return;
    client.onclose = () => undefined;
    client.onerror = () => undefined;
    if (transport instanceof StreamableHTTPClientTransport)
      await transport.terminateSession().catch(() => undefined);
    await client.close().catch(() => undefined);
  }

  private update(change: Partial<SourceState>): void {
    this.state = { ...this.state, ...change };
  }
}

/** A session that was up ended (lost, closed, a failed ping): always worth starting again. */
class McpSessionEnded extends Error {
  readonly retryable = true;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
