/** Holds a session to every configured MCP fault server, each with its own reconnect loop and state. */
import type { Fault } from '../../core/domain/fault.ts';
import type { Logger } from '../../core/ports/logger.ts';
import { McpFaultSource, type McpServerSettings, type SourceState } from './mcp-fault-source.ts';
import type { ClusterAccess } from './owner-lookup.ts';
import { Semaphore } from './semaphore.ts';

export interface McpSupervisor {
  states(): readonly SourceState[];
  stop(): Promise<void>;
}

export interface McpSupervisorOptions {
  /** Read access to Watchkeeper's own cluster: faults of that cluster get owners and pod re-checks from it. */
  readonly access?: ClusterAccess;
  /** Told, per server, the TTL its faults expire after once known (`undefined`: they do not expire). */
  readonly onFaultTtl?: (server: string, ttlMs: number | undefined) => void;
}

export function startMcpSupervisor(
  servers: readonly McpServerSettings[],
  sink: (fault: Fault) => Promise<unknown>,
  logger: Logger,
  options: McpSupervisorOptions = {},
): McpSupervisor {
  // A network blip drops every session at once: re-initialize at most 16 at a time.
  const setups = new Semaphore(16);
  const sources = servers.map(
    (settings) =>
      new McpFaultSource(settings, sink, logger, {
        setups,
        ...(options.access && { access: options.access }),
        ...(options.onFaultTtl && {
          onFaultTtl: (ttlMs: number | undefined) => options.onFaultTtl?.(settings.name, ttlMs),
        }),
      }),
  );
  const loops = sources.map((source) => source.run());
  return {
    states: () => sources.map((source) => source.current()),
    async stop() {
      await Promise.all(sources.map((source) => source.stop()));
      await Promise.all(loops);
    },
  };
}
