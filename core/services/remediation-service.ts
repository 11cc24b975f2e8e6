/**
 * Remediation from proposal to verified result: the report's typed actions are dry-run and stored as a request;
 * approvers vote (policy in `decideApproval`); an approved request is executed by a worker that claims it from
 * the durable queue, with a credential for it alone; every step is audited in the database and as an audit
 * record next to the report.
 */
import type { Actor } from '../domain/actor.ts';
import { asAuditEntryId, asRemediationRequestId, type IncidentId } from '../domain/ids.ts';
import type { IncidentEvent } from '../domain/incident-event.ts';
import { decideApproval } from '../domain/policies/approval.ts';
import type { RemediationRequest } from '../domain/remediation.ts';
import type { Clock } from '../ports/clock.ts';
import type { IdGen } from '../ports/id-gen.ts';
import type { Logger } from '../ports/logger.ts';
import type { RemediationExecutor } from '../ports/remediation-executor.ts';
import type { ReportStore } from '../ports/report-store.ts';
import type { Store } from '../ports/store.ts';
import type { LifecycleService } from './lifecycle-service.ts';

export const remediationWorkKind = 'remediation';

export interface RemediationSettings {
  /** How many different approvers a request in this cluster needs (2 with the two-person rule). */
  requiredApprovals(cluster: string): number;
  readonly approvalTtlMs: number;
  readonly leaseMs: number;
}

export type RemediationResult =
  | { readonly ok: true; readonly request: RemediationRequest; readonly message: string }
  | { readonly ok: false; readonly message: string };

export interface RemediationService {
  propose(incidentId: IncidentId, actor: Actor): Promise<RemediationResult>;
  vote(
    requestId: string,
    vote: { readonly userId: string; readonly decision: 'approve' | 'deny'; readonly mayApprove: boolean },
  ): Promise<RemediationResult>;
  /** Claims and executes due approved requests; returns how many it ran. */
  executeDue(signal: AbortSignal): Promise<number>;
  /** Closes proposals whose approval window passed, so the incident can move on; returns how many. */
  expireDue(): Promise<number>;
}

export function createRemediationService(deps: {
  readonly store: Store;
  readonly lifecycle: LifecycleService;
  readonly executor: RemediationExecutor;
  readonly reports: ReportStore;
  readonly ids: IdGen;
  readonly clock: Clock;
  readonly settings: RemediationSettings;
  readonly owner: string;
  readonly logger: Logger;
}): RemediationService {
  const { store, lifecycle, executor, clock } = deps;

  async function audit(
    request: RemediationRequest,
    actor: Actor,
    action: string,
    detail: Record<string, unknown>,
  ) {
    await store.audit.append({
      id: asAuditEntryId(deps.ids.newId()),
      incidentId: request.incidentId,
      actor,
      action,
      detail: { requestId: request.id, ...detail },
      at: clock.now(),
    });
    const trail = (await store.audit.listByIncident(request.incidentId)).filter(
      (entry) => entry.detail.requestId === request.id,
    );
    await deps.reports
      .put(
        `incidents/${request.incidentId}/remediation/${request.id}/audit.json`,
        `${JSON.stringify({ request, trail }, null, 2)}\n`,
        'application/json',
      )
      .catch((error: unknown) =>
        deps.logger.warn(
          { err: error, requestId: request.id },
          'audit record not written to the report store',
        ),
      );
  }

  const event = (type: IncidentEvent['type'], actor: Actor, request: RemediationRequest, extra = {}) =>
    ({ type, at: clock.now(), actor, requestId: request.id, ...extra }) as IncidentEvent;

  async function save(next: RemediationRequest): Promise<boolean> {
    return store.remediation.update(next);
  }

  return {
    async propose(incidentId, actor) {
      const incident = await store.incidents.get(incidentId);
      if (!incident) return { ok: false, message: `there is no incident ${incidentId}` };
      const proposed = await executor.proposedActions(incidentId);
      const refusedText = proposed.rejected.map((r) => `action ${r.index + 1}: ${r.problem}`).join('; ');
      if (proposed.actions.length === 0)
        return {
          ok: false,
          message: `the latest report proposes no executable action${refusedText ? ` (refused: ${refusedText})` : ''}`,
        };
      const dryRun: string[] = [];
      for (const action of proposed.actions) {
        try {
          dryRun.push(await executor.dryRun(action));
        } catch (error) {
          return { ok: false, message: `the dry run of ${action.type} failed: ${(error as Error).message}` };
        }
      }
      const now = clock.now();
      const request: RemediationRequest = {
        id: asRemediationRequestId(deps.ids.newId()),
        incidentId,
        cluster: incident.cluster,
        actions: proposed.actions,
        dryRun,
        proposedBy: actor,
        status: 'proposed',
        approvals: [],
        requiredApprovals: deps.settings.requiredApprovals(incident.cluster),
        proposedAt: now,
        expiresAt: new Date(now.getTime() + deps.settings.approvalTtlMs),
        version: 0,
      };
      await store.remediation.create(request);
      const moved = await lifecycle.apply(
        incidentId,
        event('remediation.proposed', actor, request),
        'remediation proposed',
      );
      if (!moved.ok) {
        await save({ ...request, status: 'expired', version: 1 });
        return { ok: false, message: moved.error.message };
      }
      await audit(request, actor, 'remediation.proposed', {
        actions: request.actions,
        dryRun,
        rejected: proposed.rejected,
      });
      return {
        ok: true,
        request,
        message: refusedText ? `proposed; refused from the report: ${refusedText}` : 'proposed',
      };
    },

    async vote(requestId, vote) {
      const request = await store.remediation.get(asRemediationRequestId(requestId));
      if (!request) return { ok: false, message: `there is no remediation request ${requestId}` };
      const actor: Actor = { type: 'slack-user', userId: vote.userId };
      const outcome = decideApproval(request, vote, clock.now());
      if (outcome.kind === 'refused') {
        await audit(request, actor, `remediation.${vote.decision}_refused`, { reason: outcome.message });
        return { ok: false, message: outcome.message };
      }
      const next = { ...outcome.request, version: request.version + 1 };
      if (!(await save(next)))
        return { ok: false, message: 'someone else decided at the same moment; look again' };
      await audit(next, actor, `remediation.${outcome.kind}`, { userId: vote.userId });
      if (outcome.kind === 'approved')
        await lifecycle.apply(
          request.incidentId,
          event('remediation.approved', actor, next),
          `approved by ${vote.userId}`,
        );
      if (outcome.kind === 'denied')
        await lifecycle.apply(
          request.incidentId,
          event('remediation.denied', actor, next),
          `denied by ${vote.userId}`,
        );
      return { ok: true, request: next, message: outcome.message };
    },

    async expireDue() {
      const system: Actor = { type: 'system', component: 'remediation' };
      let expired = 0;
      for (const request of await store.remediation.listExpired(clock.now())) {
        const next = { ...request, status: 'expired' as const, version: request.version + 1 };
        if (!(await save(next))) continue;
        await audit(next, system, 'remediation.expired', { expiresAt: request.expiresAt.toISOString() });
        await lifecycle.apply(
          request.incidentId,
          event('remediation.denied', system, next),
          'the approval window passed',
        );
        expired += 1;
      }
      return expired;
    },

    async executeDue(signal) {
      const items = await store.queue.claim({
        kinds: [remediationWorkKind],
        owner: deps.owner,
        now: clock.now(),
        leaseMs: deps.settings.leaseMs,
        limit: 2,
      });
      for (const item of items) {
        const request = await store.remediation.get(asRemediationRequestId(String(item.payload.requestId)));
        if (request?.status !== 'approved') {
          await store.queue.complete(item.id, deps.owner);
          continue;
        }
        const system: Actor = { type: 'system', component: 'remediation' };
        const started = {
          ...request,
          status: 'executing' as const,
          execution: { startedAt: clock.now() },
          version: request.version + 1,
        };
        await save(started);
        await lifecycle.apply(request.incidentId, event('remediation.started', system, started), 'executing');
        const outcome = await executor.execute(started, signal);
        const finished: RemediationRequest = {
          ...started,
          status: outcome.ok ? 'succeeded' : 'failed',
          execution: {
            startedAt: started.execution.startedAt,
            finishedAt: clock.now(),
            ...(!outcome.ok && { error: outcome.detail }),
          },
          ...(outcome.verification && { verification: { ...outcome.verification, at: clock.now() } }),
          version: started.version + 1,
        };
        await save(finished);
        await audit(finished, system, outcome.ok ? 'remediation.verified' : 'remediation.failed', {
          detail: outcome.detail,
          verification: outcome.verification ?? null,
        });
        await lifecycle.apply(
          request.incidentId,
          outcome.ok
            ? event('remediation.succeeded', system, finished)
            : event('remediation.failed', system, finished, { reason: outcome.detail.slice(0, 500) }),
          outcome.detail.slice(0, 500),
        );
        await store.queue.complete(item.id, deps.owner);
      }
      return items.length;
    },
  };
}
