/** `watchkeeper listeners`: asks the running Watchkeeper for its MCP servers' state and prints a table. */
import { listenerStatusPath } from '../wiring/listener-status.ts';

/** A failure the user can act on; printed as one line, exit 1. */
export class CliError extends Error {}

interface ServerState {
  readonly name: string;
  readonly url: string;
  readonly status: string;
  readonly mechanism?: string;
  readonly reconcile?: string;
  readonly notReconcilable?: string;
  readonly faultTtlMinutes?: number;
  readonly podRecheck?: boolean;
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
    ['NAME', 'STATUS', 'MECHANISM', 'RECONCILE', 'SINCE', 'LAST EVENT', 'FAULTS', 'DROPPED', 'LAST ERROR'],
    ...servers.map((s) => [
      s.name,
      s.status,
      s.mechanism ?? '-',
      s.reconcile === undefined ? '-' : s.reconcile === 'none' ? 'not reconcilable' : s.reconcile,
      s.since ?? '-',
      s.lastEventAt ?? '-',
      String(s.faults),
      String(s.dropped),
      s.lastError ?? '',
    ]),
  ];
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  const table = `${rows
    .map((r) =>
      r
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')}\n`;
  const notes = servers.flatMap((s) => notesFor(s).map((note) => `${s.name}: ${note}`));
  return notes.length === 0 ? table : `${table}\n${notes.join('\n')}\n`;
}

/** What a person must know about a server beyond the table: what it cannot do, and what to change. */
function notesFor(s: ServerState): string[] {
  const notes: string[] = [];
  if (s.status === 'misconfigured' && s.lastError !== undefined)
    notes.push(`not listened to: ${s.lastError} (then restart Watchkeeper)`);
  if (s.notReconcilable !== undefined) notes.push(`not reconcilable: ${s.notReconcilable}`);
  if (s.faultTtlMinutes !== undefined) {
    notes.push(
      `its faults expire ${s.faultTtlMinutes} min after the server last sent them (mcp.servers[].faultTtlMinutes)${
        s.podRecheck ? '; pod faults are re-checked against the cluster and cleared when the pod is gone' : ''
      }`,
    );
  }
  return notes;
}
