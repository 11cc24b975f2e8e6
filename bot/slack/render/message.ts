import type { KnownBlock } from '@slack/types';

/** A message as posted or edited: `text` is the notification and screen-reader fallback. */
export interface SlackMessage {
  readonly text: string;
  readonly blocks: readonly KnownBlock[];
}

export const severityIcon: Readonly<Record<string, string>> = {
  critical: ':red_circle:',
  high: ':large_orange_circle:',
  warning: ':large_yellow_circle:',
  info: ':large_blue_circle:',
};

/** `1m 05s`, `2h 03m`: short enough for a card field. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${String(seconds % 60).padStart(2, '0')}s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h ${String(minutes % 60).padStart(2, '0')}m`;
  return `${Math.floor(hours / 24)}d ${hours % 24}h`;
}

export function formatCost(usd: number | undefined): string {
  if (usd === undefined) return '—';
  return usd < 0.01 && usd > 0 ? '<$0.01' : `$${usd.toFixed(2)}`;
}

export function formatTokens(count: number | undefined): string {
  if (count === undefined) return '—';
  return count >= 10_000 ? `${Math.round(count / 1000)}k` : String(count);
}

/** A link that opens the message in Slack (the client resolves the workspace). */
export function permalink(channel: string, ts: string): string {
  return `https://slack.com/archives/${channel}/p${ts.replace('.', '')}`;
}
