/**
 * Applies lifecycle events to stored incidents: `decide()` picks the transition, the store keeps it with who and
 * why (optimistic concurrency, retried on a lost race), the effects are carried out, and the transition is
 * published on the bus from the outbox with an idempotency key, so every consumer applies it exactly once.
 */
import type { IncidentId } from '../domain/ids.ts';
import type { Incident } from '../domain/incident.ts';
import type { IncidentEvent } from '../domain/incident-event.ts';
import type { IllegalTransition, IncidentEffect } from '../domain/lifecycle.ts';
import { decide } from '../domain/lifecycle.ts';
import type { Bus } from '../ports/bus.ts';
import type { TransitionRecord } from '../ports/incident-repository.ts';
import type { Logger } from '../ports/logger.ts';
import type { Store } from '../ports/store.ts';
import { subjects } from '../ports/subjects.ts';
import { runControlMessage } from './run-control-message.ts';
import { WatchkeeperError } from '../domain/watchkeeper-error.ts';

export const triageWorkKind = 'triage';

export interface LifecycleDeps {
  readonly store: Store;
  readonly bus: Bus;
  readonly logger: Logger;
}

export type ApplyResult =
  | { readonly ok: true; readonly incident: Incident }
  | {
      readonly ok: false;
      readonly error: IllegalTransition | { readonly kind: 'not_found'; readonly message: string };
    };

/** What consumers (the Slack bot, a console) receive for each transition. */
export interface LifecycleNotification extends TransitionRecord {
  readonly idempotencyKey: string;
}

export interface LifecycleService {
  apply(incidentId: IncidentId, event: IncidentEvent, reason: string): Promise<ApplyResult>;
  /** Publishes transitions the outbox still holds (after a bus outage or a crash); returns how many. */
  publishPending(limit?: number): Promise<number>;
}

const maxRaceRetries = 8;

export function transitionKey(incidentId: string, version: number): string {
  return `${incidentId}:${version}`;
}

export function createLifecycleService(deps: LifecycleDeps): LifecycleService {
  const { store, bus, logger } = deps;

  async function runEffect(incident: Incident, effect: IncidentEffect, at: Date): Promise<void> {
    switch (effect.type) {
      case 'enqueue_triage':
        await store.queue.enqueue({
          kind: triageWorkKind,
          key: incident.id,
          payload: {
            incidentId: incident.id,
            ...(effect.agent !== undefined && { agent: effect.agent }),
            ...(effect.purpose !== undefined && { purpose: effect.purpose }),
            ...(effect.question !== undefined && { question: effect.question }),
          },
          runAt: at,
        });
        return;
      case 'cancel_run':
        // Recorded first: the card says who cancelled at once, and the replica running the run finds the
        // request in the store even if it misses the bus message (restarting, a NATS outage).
        await store.runs.recordCancellation(effect.runId, { by: effect.by, at });
        await bus
          .publish(subjects.runControl(effect.runId), runControlMessage(effect.runId, effect.by))
          .catch((error: unknown) => {
            logger.warn(
              { err: error, runId: effect.runId },
              'could not signal the run to stop on the bus; its replica finds the request in the store',
            );
          });
        return;
      case 'execute_remediation':
        await store.queue.enqueue({
          kind: 'remediation',
          key: effect.requestId,
          payload: { incidentId: incident.id, requestId: effect.requestId },
          runAt: at,
        });
        return;
    }
  }

  async function publish(record: TransitionRecord): Promise<boolean> {
    const key = transitionKey(record.incidentId, record.version);
    const notification: LifecycleNotification = { ...record, idempotencyKey: key };
    try {
      await bus.publish(subjects.incidentLifecycle(record.incidentId), notification, { msgId: key });
      await store.incidents.markPublished(record.incidentId, record.version, new Date());
      return true;
    } catch (error) {
      logger.warn({ err: error, incidentId: record.incidentId }, 'lifecycle notification left in the outbox');
      return false;
    }
  }

  return {
    async apply(incidentId, event, reason) {
      for (let attempt = 0; attempt < maxRaceRetries; attempt += 1) {
        const incident = await store.incidents.get(incidentId);
        if (!incident)
          return {
            ok: false,
            error: { kind: 'not_found', message: `incident ${incidentId} does not exist` },
          };
        const decision = decide(incident.state, event);
        if (!decision.ok) return { ok: false, error: decision.error };
        const stored = await store.incidents.transition(incident.id, incident.version, decision.state, {
          from: incident.state.status,
          event: event.type,
          actor: event.actor,
          reason,
          at: event.at,
        });
        if (!stored) continue; // another writer moved the incident first: decide again on what it is now
        for (const effect of decision.effects) await runEffect(stored, effect, event.at);
        await publish({
          incidentId: stored.id,
          version: stored.version,
          from: incident.state.status,
          to: stored.state.status,
          event: event.type,
          actor: event.actor,
          reason,
          at: event.at,
        });
        return { ok: true, incident: stored };
      }
      throw new WatchkeeperError(
        'contended',
        `incident ${incidentId}: gave up after ${maxRaceRetries} concurrent updates`,
      );
    },

    async publishPending(limit = 500) {
      let published = 0;
      for (const record of await store.incidents.unpublished(limit)) {
        if (!(await publish(record))) break;
        published += 1;
      }
      return published;
    },
  };
}
