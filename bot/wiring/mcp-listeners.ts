/** The MCP listener's wiring: each server's settings, the per-server fault TTLs, and access to our own cluster. */
import type { Logger } from '../../core/ports/logger.ts';
import type { FaultIntake } from '../../core/services/fault-intake.ts';
import type { KubeConfigChoice } from '../../listeners/kube/kube-config.ts';
import { createKubeOwnerLookup } from '../../listeners/kube/owner-lookup.ts';
import { startMcpSupervisor, type McpSupervisor } from '../../listeners/mcp/mcp-supervisor.ts';
import type { Config } from '../config/config.ts';

const ttlKey = (server: string) => `mcp:${server}`;

/** A server's TTL as configured: `mcp.servers[].faultTtlMinutes`, else `incidents.faultTtlMinutes["mcp:<name>"]`. */
function configuredTtlMs(config: Config, server: Config['mcpServers'][number]): number | undefined {
  return server.faultTtlMinutes === undefined
    ? config.incidents.faultTtlMs.get(ttlKey(server.name))
    : server.faultTtlMinutes * 60_000;
}

/**
 * Every source's TTL known from the configuration alone. The map stays live: a server left on the default gets
 * its entry once it is connected and known (see McpServerSettings.faultTtlMs), so expiry reads it on every pass.
 */
export function faultTtlsFromConfig(config: Config): Map<string, number> {
  const ttls = new Map(config.incidents.faultTtlMs);
  for (const server of config.mcpServers) {
    const ttlMs = configuredTtlMs(config, server);
    if (ttlMs !== undefined && ttlMs > 0) ttls.set(ttlKey(server.name), ttlMs);
    else ttls.delete(ttlKey(server.name));
  }
  return ttls;
}

export function startMcpListeners(
  config: Config,
  deps: {
    readonly intake: FaultIntake;
    readonly faultTtls: Map<string, number>;
    readonly kubeconfig: KubeConfigChoice | undefined;
  },
  logger: Logger,
): McpSupervisor | undefined {
  if (config.mcpServers.length === 0) return undefined;
  return startMcpSupervisor(
    config.mcpServers.map((server) => {
      const faultTtlMs = configuredTtlMs(config, server);
      return {
        name: server.name,
        ...(server.url !== undefined && { url: server.url }),
        ...(server.stdio && { stdio: server.stdio }),
        ...(server.token && { token: server.token.reveal() }),
        ...(server.cluster !== undefined && { cluster: server.cluster }),
        mechanism: server.mechanism,
        pingIntervalMs: server.pingSeconds * 1000,
        ...(faultTtlMs !== undefined && { faultTtlMs }),
      };
    }),
    (fault) => deps.intake.ingest(fault),
    logger,
    {
      // Faults a server reports about our own cluster get owners and pod re-checks from our kubeconfig.
      ...(deps.kubeconfig && {
        access: { cluster: config.cluster, lookup: createKubeOwnerLookup(deps.kubeconfig.config) },
      }),
      onFaultTtl: (server, ttlMs) => {
        if (ttlMs === undefined) deps.faultTtls.delete(ttlKey(server));
        else deps.faultTtls.set(ttlKey(server), ttlMs);
      },
    },
  );
}
