/** `watchkeeper listeners`: asks the running Watchkeeper for its MCP servers' state and prints a table. */
import { listenerStatusPath } from '../wiring/listener-status.ts';

/** A failure the user can act on; printed as one line, exit 1. */
export class CliError extends Error {}

interface ServerState {
  readonly name: string;
  readonly url: string;
  readonly status: string;
  readonly mechanism?: string;
  readonly since?: string;
  readonly lastEventAt?: string;
  readonly faults: number;
  readonly dropped: number;
  readonly lastError?: string;
}

export async function fetchListeners(base: string): Promise<readonly ServerState[]> {
  let response: Response;
  try {
    response = await fetch(`${base.replace(/\/+$/, '')}${listenerStatusPath}`, {
      signal: AbortSignal.timeout(5_000),
    });
  } catch (error) {
    throw new CliError(
      `cannot reach Watchkeeper at ${base} (${(error as Error).message}); is it running? Use --url to point at it`,
    );
  }
  if (!response.ok) throw new CliError(`${base}${listenerStatusPath} answered ${response.status}`);
  return ((await response.json()) as { servers: ServerState[] }).servers;
}

export function formatListeners(servers: readonly ServerState[]): string {
  if (servers.length === 0)
    return 'no MCP servers configured (see mcp.servers in the configuration reference)\n';
  const rows = [
    ['NAME', 'STATUS', 'MECHANISM', 'SINCE', 'LAST EVENT', 'FAULTS', 'DROPPED', 'LAST ERROR'],
    ...servers.map((s) => [
      s.name,
      s.status,
      s.mechanism ?? '-',
      s.since ?? '-',
      s.lastEventAt ?? '-',
      String(s.faults),
      String(s.dropped),
      s.lastError ?? '',
    ]),
  ];
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return `${rows
    .map((r) =>
      r
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')}\n`;
}
