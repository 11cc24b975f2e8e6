/**
 * Stage 6, announce: every outcome is logged once with its reason and counted by kind, and the ones a person sees
 * on the card (a fault folded in, a member's class refined) are published as card updates.
 */
import type { FaultOutcome, Metrics } from '../../ports/metrics.ts';
import { subjects } from '../../ports/subjects.ts';
import type { IntakeDeps, IntakeItem, IntakeOutcome, IntakeOutcomeKind } from './intake-item.ts';

/** Outcomes worth an info line; the rest (a storm's thousand joins, replays) log at debug. */
const notable = new Set<IntakeOutcomeKind>(['opened', 'reopened', 'resolved', 'silenced', 'refined']);

export interface Announcer {
  announce(settled: readonly { readonly item: IntakeItem; readonly outcome: IntakeOutcome }[]): Promise<void>;
  /** How many observations ended in each outcome since start (for metrics and the status page). */
  counts(): Readonly<Record<IntakeOutcomeKind, number>>;
}

/** The outcome as the metrics name it: an opened incident is `new`, a flapping fault's clear `flapping`. */
export function faultOutcomeOf(outcome: IntakeOutcome): FaultOutcome {
  if (outcome.kind === 'opened') return 'new';
  if (outcome.kind === 'cleared' && outcome.flapping) return 'flapping';
  return outcome.kind;
}

export function createAnnouncer(
  deps: Pick<IntakeDeps, 'bus' | 'logger'> & { readonly metrics?: Metrics },
): Announcer {
  const counts: Record<IntakeOutcomeKind, number> = {
    duplicate: 0,
    silenced: 0,
    opened: 0,
    joined: 0,
    reopened: 0,
    already_member: 0,
    refined: 0,
    resolved: 0,
    cleared: 0,
  };

  async function publish(item: IntakeItem, outcome: IntakeOutcome): Promise<void> {
    const { fault, now } = item;
    const update =
      outcome.kind === 'joined'
        ? { type: 'fault.folded', reason: outcome.reason, key: 'member' }
        : outcome.kind === 'refined'
          ? {
              type: 'fault.refined',
              from: outcome.from,
              to: outcome.to,
              key: `refined:${outcome.to}:${fault.observedAt.getTime()}`,
            }
          : undefined;
    if (!update || !('incidentId' in outcome)) return;
    const { key, ...event } = update;
    await deps.bus
      .publish(
        subjects.incidentUpdated(outcome.incidentId),
        {
          incidentId: outcome.incidentId,
          faultId: fault.faultId,
          message: outcome.message,
          at: now,
          ...event,
        },
        { msgId: `${outcome.incidentId}:${key}:${fault.cluster}:${fault.faultId}` },
      )
      .catch((error: unknown) => deps.logger.debug({ err: error }, 'card update not published'));
  }

  return {
    async announce(settled) {
      for (const { item, outcome } of settled) {
        counts[outcome.kind] += 1;
        deps.metrics?.faultSettled(item.fault, faultOutcomeOf(outcome));
        const fields = {
          outcome: outcome.kind,
          faultId: item.fault.faultId,
          class: item.fault.class,
          ...('incidentId' in outcome && { incidentId: outcome.incidentId }),
          ...(outcome.kind === 'opened' && {
            fingerprint: outcome.cause.fingerprint,
            severity: item.fault.severity,
          }),
        };
        if (notable.has(outcome.kind)) deps.logger.info(fields, outcome.message);
        else deps.logger.debug(fields, outcome.message);
        await publish(item, outcome);
      }
    },
    counts: () => ({ ...counts }),
  };
}
