/**
 * What people can do to incidents from Slack, as plain operations: each checks the incident's current state
 * (the message they clicked may be stale), applies the change through the lifecycle service, and is audited
 * with the Slack user id. Results are short texts for an ephemeral reply.
 */
import { createHash } from 'node:crypto';
import type { Actor } from '../../core/domain/actor.ts';
import type { Fault } from '../../core/domain/fault.ts';
import {
  asAuditEntryId,
  asIncidentId,
  asRemediationRequestId,
  type IncidentId,
} from '../../core/domain/ids.ts';
import type { Incident } from '../../core/domain/incident.ts';
import { isOpen } from '../../core/domain/incident-state.ts';
import { formatResource } from '../../core/domain/resource.ts';
import type { TriageRequest } from '../../core/domain/run.ts';
import type { IdGen } from '../../core/ports/id-gen.ts';
import type { Store } from '../../core/ports/store.ts';
import type { FaultIntake } from '../../core/services/fault-intake.ts';
import type { LifecycleService } from '../../core/services/lifecycle-service.ts';
import type { RemediationService } from '../../core/services/remediation-service.ts';
import { muteDurations } from './action-ids.ts';
import type { TriageCommand } from './parse-triage-command.ts';
import { codeText, escapeText } from './render/escape.ts';

/** A mute asked for within this much of an existing one's end is the same mute. */
const muteSlackMs = 60_000;

export type ActionResult =
  | { readonly ok: true; readonly message: string; readonly incidentId?: IncidentId }
  | { readonly ok: false; readonly message: string };

export interface IncidentActions {
  requestRun(incidentId: string, userId: string, request: TriageRequest): Promise<ActionResult>;
  resolve(incidentId: string, userId: string): Promise<ActionResult>;
  mute(incidentId: string, userId: string, duration: string): Promise<ActionResult>;
  startManual(command: Extract<TriageCommand, { type: 'triage' }>, userId: string): Promise<ActionResult>;
  /** The incident, when it exists (for replies that name it). */
  find(incidentId: string): Promise<Incident | undefined>;
  /** Open incidents, most recent first. */
  list(limit?: number): Promise<readonly Incident[]>;
  /** The agent of the incident's latest run, so a rerun uses the same one. */
  lastAgent(incidentId: string): Promise<string | undefined>;
  /** Dry-runs the latest report's actions and posts them for approval. */
  proposeRemediation(incidentId: string, userId: string): Promise<ActionResult>;
  voteRemediation(requestId: string, userId: string, decision: 'approve' | 'deny'): Promise<ActionResult>;
}

export interface RemediationAccess {
  readonly service: RemediationService;
  /** Whether the user may approve remediation in this cluster (remediation.approvers, user groups included). */
  isApprover(userId: string, cluster: string): Promise<boolean>;
}

export function createIncidentActions(deps: {
  readonly store: Store;
  readonly lifecycle: LifecycleService;
  readonly intake: FaultIntake;
  readonly ids: IdGen;
  readonly cluster: string;
  readonly agents: readonly string[];
  readonly defaultAgent: string;
  /** Absent when remediation is off (no cluster access, or remediation.enabled: false). */
  readonly remediation?: RemediationAccess;
}): IncidentActions {
  const { store, lifecycle } = deps;
  const actor = (userId: string): Actor => ({ type: 'slack-user', userId });

  async function audit(
    userId: string,
    action: string,
    incidentId: IncidentId | undefined,
    detail: Record<string, unknown>,
  ): Promise<void> {
    await store.audit.append({
      id: asAuditEntryId(deps.ids.newId()),
      ...(incidentId && { incidentId }),
      actor: actor(userId),
      action,
      detail,
      at: new Date(),
    });
  }

  async function find(incidentId: string): Promise<Incident | undefined> {
    return /^[A-Za-z0-9_-]{1,64}$/.test(incidentId)
      ? store.incidents.get(asIncidentId(incidentId))
      : undefined;
  }

  const missing = (incidentId: string): ActionResult => ({
    ok: false,
    message: `There is no incident ${codeText(incidentId)}; \`/triage list\` shows the open ones.`,
  });

  async function requestRun(
    incidentId: string,
    userId: string,
    request: TriageRequest,
  ): Promise<ActionResult> {
    const incident = await find(incidentId);
    if (!incident) return missing(incidentId);
    if (request.agent !== undefined && !deps.agents.includes(request.agent))
      return {
        ok: false,
        message: `There is no agent profile ${codeText(request.agent)}; configured: ${deps.agents.map((a) => codeText(a)).join(', ')}.`,
      };
    const what =
      request.purpose === 'follow_up'
        ? 'follow-up question'
        : request.purpose === 'second_opinion'
          ? 'second opinion'
          : 'rerun';
    const result = await lifecycle.apply(
      incident.id,
      {
        type: 'triage.requested',
        at: new Date(),
        actor: actor(userId),
        reason: `${what} requested in Slack`,
        ...request,
      },
      `${what} requested in Slack by ${userId}`,
    );
    await audit(userId, `slack.${request.purpose ?? 'rerun'}`, incident.id, {
      agent: request.agent ?? null,
      ...(request.question !== undefined && { question: request.question }),
      accepted: result.ok,
    });
    if (!result.ok) {
      const busy = incident.state.status === 'triaging' || incident.state.status === 'triage_queued';
      return {
        ok: false,
        message: busy
          ? `A triage of this incident is already ${incident.state.status === 'triaging' ? 'running' : 'queued'}; ask again when it has reported.`
          : `Cannot start a ${what} now: ${escapeText(result.error.message)}`,
      };
    }
    const agent = request.agent ?? deps.defaultAgent;
    return { ok: true, incidentId: incident.id, message: `Queued a ${what} with ${codeText(agent)}.` };
  }

  return {
    find,
    requestRun,

    async list(limit = 20) {
      const open = (await store.incidents.list({ limit: 500 })).filter((incident) => isOpen(incident.state));
      return [...open].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime()).slice(0, limit);
    },

    async proposeRemediation(incidentId, userId) {
      const incident = await find(incidentId);
      if (!incident) return missing(incidentId);
      if (!deps.remediation)
        return {
          ok: false,
          message: 'Remediation is off here (it needs cluster access and remediation.enabled).',
        };
      const result = await deps.remediation.service.propose(incident.id, actor(userId));
      return result.ok
        ? {
            ok: true,
            incidentId: incident.id,
            message: `Remediation proposed: ${escapeText(result.message)}.`,
          }
        : { ok: false, message: `Nothing to propose: ${escapeText(result.message)}.` };
    },

    async voteRemediation(requestId, userId, decision) {
      if (!deps.remediation) return { ok: false, message: 'Remediation is off here.' };
      const request = /^[A-Za-z0-9_-]{1,64}$/.test(requestId)
        ? await store.remediation.get(asRemediationRequestId(requestId))
        : undefined;
      if (!request) return { ok: false, message: `There is no remediation request ${codeText(requestId)}.` };
      const mayApprove = await deps.remediation.isApprover(userId, request.cluster).catch(() => false);
      const result = await deps.remediation.service.vote(request.id, { userId, decision, mayApprove });
      return result.ok
        ? { ok: true, incidentId: request.incidentId, message: escapeText(result.message) }
        : { ok: false, message: `:no_entry: ${escapeText(result.message)}` };
    },

    async lastAgent(incidentId) {
      const incident = await find(incidentId);
      if (!incident) return undefined;
      const runs = await store.runs.listByIncident(incident.id);
      const agent = runs.filter((run) => run.purpose === 'triage').at(-1)?.agent;
      return agent !== undefined && deps.agents.includes(agent) ? agent : undefined;
    },

    async resolve(incidentId, userId) {
      const incident = await find(incidentId);
      if (!incident) return missing(incidentId);
      if (!isOpen(incident.state)) return { ok: false, message: 'This incident is already resolved.' };
      const result = await lifecycle.apply(
        incident.id,
        {
          type: 'incident.resolved',
          at: new Date(),
          actor: actor(userId),
          reason: `resolved in Slack by ${userId}`,
        },
        `resolved in Slack by ${userId}`,
      );
      await audit(userId, 'slack.resolve', incident.id, { accepted: result.ok });
      return result.ok
        ? { ok: true, incidentId: incident.id, message: 'Resolved.' }
        : { ok: false, message: `Cannot resolve it now: ${escapeText(result.error.message)}` };
    },

    async mute(incidentId, userId, duration) {
      const incident = await find(incidentId);
      if (!incident) return missing(incidentId);
      const length = Object.hasOwn(muteDurations, duration) ? muteDurations[duration] : undefined;
      if (!length) return { ok: false, message: `Unknown mute duration ${codeText(duration, 20)}.` };
      const now = new Date();
      const expiresAt = new Date(now.getTime() + length.ms);
      const until = (at: Date) =>
        `<!date^${Math.floor(at.getTime() / 1000)}^{date_short_pretty} {time}|${at.toISOString()}>`;
      // muting what is already muted at least as long (a double click, a second person) adds nothing
      const covering = (await store.silences.active(now)).find(
        (silence) =>
          silence.matcher.cluster === incident.cluster &&
          silence.matcher.fingerprint === incident.fingerprint &&
          Object.keys(silence.matcher).length === 2 &&
          silence.expiresAt.getTime() >= expiresAt.getTime() - muteSlackMs,
      );
      if (covering)
        return {
          ok: false,
          message: `This incident's cause is already muted until ${until(covering.expiresAt)}.`,
        };
      await store.silences.add({
        id: deps.ids.newId(),
        matcher: { cluster: incident.cluster, fingerprint: incident.fingerprint },
        author: `slack:${userId}`,
        reason: `muted from incident ${incident.id}`,
        createdAt: now,
        expiresAt,
      });
      await audit(userId, 'slack.mute', incident.id, { duration, expiresAt: expiresAt.toISOString() });
      return {
        ok: true,
        incidentId: incident.id,
        message: `<@${userId}> muted new faults of this incident's cause for ${length.label} (until ${until(expiresAt)}).`,
      };
    },

    async startManual(command, userId) {
      const cluster = command.cluster ?? deps.cluster;
      if (cluster !== deps.cluster)
        return {
          ok: false,
          message: `This Watchkeeper watches cluster ${codeText(deps.cluster)}, not ${codeText(cluster)}.`,
        };
      if (command.agent !== undefined && !deps.agents.includes(command.agent))
        return {
          ok: false,
          message: `There is no agent profile ${codeText(command.agent)}; configured: ${deps.agents.map((a) => codeText(a)).join(', ')}.`,
        };
      const resource = {
        apiVersion: command.apiVersion,
        kind: command.kind,
        ...(command.namespace !== undefined && { namespace: command.namespace }),
        name: command.name,
      };
      const described = formatResource(resource);
      const fault: Fault = {
        source: { kind: 'manual', name: 'slack' },
        cluster,
        faultId: `manual-${createHash('sha256').update(`${cluster}/${described}`).digest('hex').slice(0, 40)}`,
        class: 'Manual',
        severity: command.severity ?? 'warning',
        resource,
        context: {
          reason: 'TriageRequested',
          message: `a person asked for a triage of ${described} in Slack`,
        },
        observedAt: new Date(),
        resolved: false,
      };
      const outcome = await deps.intake.ingest(
        fault,
        command.agent !== undefined ? { agent: command.agent } : {},
      );
      await audit(userId, 'slack.triage', 'incidentId' in outcome ? outcome.incidentId : undefined, {
        resource: described,
        agent: command.agent ?? null,
        outcome: outcome.kind,
      });
      if (outcome.kind === 'opened')
        return {
          ok: true,
          incidentId: outcome.incidentId,
          message: `Opened an incident for ${codeText(described)}; its thread follows the triage.`,
        };
      if (outcome.kind === 'silenced')
        return {
          ok: false,
          message: `${codeText(described)} is muted (silence ${codeText(outcome.silenceId)}).`,
        };
      const existing =
        'incidentId' in outcome && outcome.incidentId
          ? await store.incidents.get(outcome.incidentId)
          : await store.incidents.lastIncidentOfFault(cluster, fault.faultId);
      if (!existing || !isOpen(existing.state))
        return { ok: false, message: `Could not open an incident for ${codeText(described)}; try again.` };
      const rerun = await requestRun(
        existing.id,
        userId,
        command.agent !== undefined ? { agent: command.agent } : {},
      );
      return rerun.ok
        ? {
            ok: true,
            incidentId: existing.id,
            message: `${codeText(described)} already has an open incident; ${rerun.message}`,
          }
        : {
            ok: true,
            incidentId: existing.id,
            message: `${codeText(described)} already has an open incident. ${rerun.message}`,
          };
    },
  };
}
