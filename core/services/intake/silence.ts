/**
 * Stage 4, silence: the one place a silence mutes a fault. It matches on the fault itself and on the incident it
 * would fold into (a fingerprint silence set from Slack); a lone fault also matches its namespace's burst. A
 * silenced fault is stored (stage 1) but opens, joins and triages nothing.
 */
import { activeSilence, type Silence } from '../../domain/policies/silence.ts';
import type { IntakeDeps, LocatedItem, Settle } from './intake-item.ts';

const silenceCacheMs = 5_000;

export interface SilenceCheck {
  apply(items: readonly LocatedItem[], settle: Settle): Promise<LocatedItem[]>;
}

export function createSilenceCheck(deps: Pick<IntakeDeps, 'store'>): SilenceCheck {
  let cached: { readonly at: number; readonly list: readonly Silence[] } | undefined;

  async function current(now: Date): Promise<readonly Silence[]> {
    if (!cached || now.getTime() - cached.at > silenceCacheMs) {
      cached = { at: now.getTime(), list: await deps.store.silences.active(now) };
    }
    return cached.list;
  }

  return {
    async apply(items, settle) {
      if (items.length === 0) return [];
      const silences = await current(items[0]?.now ?? new Date());
      if (silences.length === 0) return [...items];
      return items.filter((item) => {
        const { destination: to, fault, now } = item;
        const fingerprints =
          to.kind === 'open_incident'
            ? [to.incident.fingerprint]
            : [to.cause.fingerprint, ...(to.burst ? [to.burst.fingerprint] : [])];
        const silence = fingerprints
          .map((fingerprint) => activeSilence(silences, fault, now, fingerprint))
          .find((found) => found !== undefined);
        if (!silence) return true;
        settle(item, {
          kind: 'silenced',
          silenceId: silence.id,
          message: `silenced by ${silence.author} until ${silence.expiresAt.toISOString()}: ${silence.reason}`,
        });
        return false;
      });
    },
  };
}
