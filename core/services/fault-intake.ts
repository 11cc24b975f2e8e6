/**
 * Turns faults into incidents: store the fault (idempotently), then dedup, silence, fold by probable cause,
 * open / join / reopen / resolve incidents and queue triage. Nothing is dropped: every fault is stored even when
 * it is silenced, flapping or a replay.
 */
import type { Actor } from '../domain/actor.ts';
import { StoreError } from '../domain/errors.ts';
import type { Fault } from '../domain/fault.ts';
import { asAuditEntryId, asIncidentId, type IncidentId } from '../domain/ids.ts';
import type { FoldReason, Incident } from '../domain/incident.ts';
import { isOpen } from '../domain/incident-state.ts';
import { isStandalone, probableCause, type ProbableCause } from '../domain/policies/correlation.ts';
import { decideDedup } from '../domain/policies/dedup.ts';
import { isFlapping, recentChanges } from '../domain/policies/flap.ts';
import { effectiveSeverity } from '../domain/policies/severity-rules.ts';
import { mostSevere } from '../domain/severity.ts';
import { activeSilence, type Silence } from '../domain/policies/silence.ts';
import type { Bus } from '../ports/bus.ts';
import type { Clock } from '../ports/clock.ts';
import type { IdGen } from '../ports/id-gen.ts';
import type { Logger } from '../ports/logger.ts';
import type { Store } from '../ports/store.ts';
import { subjects } from '../ports/subjects.ts';
import type { IncidentSettings } from './incident-settings.ts';
import type { LifecycleService } from './lifecycle-service.ts';
import { createMicroBatcher } from './micro-batcher.ts';

export type IntakeOutcome =
  | { readonly kind: 'duplicate' }
  | { readonly kind: 'silenced'; readonly silenceId: string }
  | { readonly kind: 'opened'; readonly incidentId: IncidentId; readonly cause: ProbableCause }
  | { readonly kind: 'joined'; readonly incidentId: IncidentId; readonly reason: FoldReason }
  | { readonly kind: 'reopened'; readonly incidentId: IncidentId }
  | { readonly kind: 'already_member'; readonly incidentId: IncidentId }
  | { readonly kind: 'resolved'; readonly incidentId: IncidentId }
  | { readonly kind: 'cleared'; readonly incidentId?: IncidentId; readonly note: string };

export interface FaultIntakeDeps {
  readonly store: Store;
  readonly bus: Bus;
  readonly clock: Clock;
  readonly ids: IdGen;
  readonly logger: Logger;
  readonly lifecycle: LifecycleService;
  readonly settings: IncidentSettings;
}

export interface FaultIntake {
  /** `agent` picks the profile for the triage of an incident this fault opens (a person's `/triage … agent=`). */
  ingest(fault: Fault, options?: { readonly agent?: string }): Promise<IntakeOutcome>;
}

const silenceCacheMs = 5_000;
/** Fault state changes kept per fault for flap detection; bounded so a storm cannot grow memory without end. */
const maxTrackedFaults = 50_000;

const intakeActor: Actor = { type: 'system', component: 'intake' };
const noView = { nodesWithOpenIncident: new Set<string>(), recentStandaloneInNamespace: 0 };

const fingerprintsOf = (causes: readonly ProbableCause[]): string[] => [
  ...new Set(causes.map((c) => c.fingerprint)),
];

function withOpen(
  cause: ProbableCause,
  open: Incident | undefined,
): { cause: ProbableCause; open?: Incident } {
  return open ? { cause, open } : { cause };
}

export function createFaultIntake(deps: FaultIntakeDeps): FaultIntake {
  const { store, clock, ids, settings, lifecycle, logger } = deps;
  const changes = new Map<string, { readonly resolved: boolean; readonly at: readonly Date[] }>();
  const requestedAgents = new Map<string, string>();
  const faultKey = (fault: Fault) => `${fault.cluster}\u0000${fault.faultId}`;
  let silences: { readonly at: number; readonly list: readonly Silence[] } | undefined;

  async function currentSilences(now: Date): Promise<readonly Silence[]> {
    if (!silences || now.getTime() - silences.at > silenceCacheMs) {
      silences = { at: now.getTime(), list: await store.silences.active(now) };
    }
    return silences.list;
  }

  /** Notes the fault's state (firing or cleared) and says whether it is flapping now. */
  function trackState(fault: Fault, now: Date): boolean {
    const key = faultKey(fault);
    const known = changes.get(key);
    const flipped = known?.resolved !== fault.resolved;
    const kept = recentChanges([...(known?.at ?? []), ...(flipped ? [now] : [])], now, settings.flap);
    changes.delete(key);
    if (changes.size >= maxTrackedFaults) {
      const oldest = changes.keys().next();
      if (!oldest.done) changes.delete(oldest.value);
    }
    changes.set(key, { resolved: fault.resolved, at: kept });
    return isFlapping(kept, now, settings.flap);
  }

  const sourceActor = (fault: Fault): Actor => ({
    type: 'fault-source',
    source: `${fault.source.kind}:${fault.source.name}`,
  });

  /** The causes a fault may belong to: its own (workload, resource) and, if it runs on a node, that node's. */
  function candidateCauses(fault: Fault): readonly ProbableCause[] {
    const own = probableCause(fault, noView, settings.correlation);
    const node = fault.context.node;
    if (node === undefined) return [own];
    return [
      own,
      probableCause(fault, { ...noView, nodesWithOpenIncident: new Set([node]) }, settings.correlation),
    ];
  }

  /**
   * Picks the cause among the candidates given the open incidents found for them: the failing node first, then
   * the fault's own cause. `undefined` when the fault stands alone with nothing open (a burst may apply).
   */
  function pickCause(
    candidates: readonly ProbableCause[],
    open: readonly Incident[],
  ): { cause: ProbableCause; open?: Incident } | undefined {
    const openFor = (cause: ProbableCause | undefined) =>
      cause && open.find((incident) => incident.fingerprint === cause.fingerprint);
    const [own, onNode] = candidates;
    const nodeIncident = openFor(onNode);
    if (onNode && nodeIncident) return { cause: onNode, open: nodeIncident };
    if (!own) return undefined;
    const ownIncident = openFor(own);
    if (ownIncident) return { cause: own, open: ownIncident };
    return isStandalone(own) && own.primary.namespace !== undefined ? undefined : { cause: own };
  }

  /** The fault's probable cause and the open incident for it, in one lookup of every candidate cause. */
  async function causeOf(fault: Fault, now: Date): Promise<{ cause: ProbableCause; open?: Incident }> {
    const candidates = candidateCauses(fault);
    const open = await store.incidents.findOpenByFingerprints(fault.cluster, fingerprintsOf(candidates));
    const picked = pickCause(candidates, open);
    if (picked) return picked;
    const own = candidates[0] ?? probableCause(fault, noView, settings.correlation);
    const since = new Date(now.getTime() - settings.correlation.burstWindowMs);
    const recent = await store.incidents.countStandaloneSince(
      fault.cluster,
      fault.resource.namespace ?? '',
      since,
    );
    const cause = probableCause(
      fault,
      { ...noView, recentStandaloneInNamespace: recent },
      settings.correlation,
    );
    if (cause.fingerprint === own.fingerprint) return { cause };
    return withOpen(cause, await store.incidents.findOpenByFingerprint(fault.cluster, cause.fingerprint));
  }

  async function publishFolded(
    incidentId: IncidentId,
    cluster: string,
    faultId: string,
    reason: FoldReason,
    now: Date,
  ): Promise<void> {
    await deps.bus
      .publish(
        subjects.incidentUpdated(incidentId),
        { incidentId, type: 'fault.folded', faultId, reason, at: now },
        { msgId: `${incidentId}:member:${cluster}:${faultId}` },
      )
      .catch((error: unknown) => logger.debug({ err: error }, 'card update not published'));
  }

  async function join(incident: Incident, fault: Fault, reason: FoldReason, now: Date): Promise<void> {
    const member = {
      incidentId: incident.id,
      cluster: fault.cluster,
      faultId: fault.faultId,
      reason,
      joinedAt: now,
    };
    if (await store.incidents.addMember(member, fault.severity)) {
      await publishFolded(incident.id, fault.cluster, fault.faultId, reason, now);
    }
  }

  async function open(
    fault: Fault,
    cause: ProbableCause,
    now: Date,
    previousIncidentId?: IncidentId,
  ): Promise<IncidentId | undefined> {
    const incident: Incident = {
      id: asIncidentId(ids.newId()),
      fingerprint: cause.fingerprint,
      cluster: fault.cluster,
      severity: fault.severity,
      title: cause.title,
      primaryResource: cause.primary,
      state: { status: 'detected' },
      faultCount: 0,
      ...(previousIncidentId !== undefined && { previousIncidentId }),
      createdAt: now,
      updatedAt: now,
      version: 0,
    };
    try {
      await store.incidents.create(incident);
    } catch (error) {
      if (error instanceof StoreError && error.code === 'conflict') return undefined; // lost the race: join instead
      throw error;
    }
    await join(incident, fault, 'primary', now);
    logger.info(
      {
        incidentId: incident.id,
        fingerprint: cause.fingerprint,
        class: fault.class,
        severity: fault.severity,
      },
      `incident opened: ${cause.title}`,
    );
    await store.audit.append({
      id: asAuditEntryId(ids.newId()),
      incidentId: incident.id,
      actor: sourceActor(fault),
      action: 'incident.opened',
      detail: {
        fingerprint: cause.fingerprint,
        faultId: fault.faultId,
        class: fault.class,
        previousIncidentId,
      },
      at: now,
    });
    await lifecycle.apply(
      incident.id,
      {
        type: 'triage.requested',
        at: now,
        actor: { type: 'system', component: 'intake' },
        agent: requestedAgents.get(faultKey(fault)) ?? settings.defaultAgent,
        reason: 'new incident',
      },
      `new incident: ${fault.class} on ${cause.title}`,
    );
    return incident.id;
  }

  async function clear(fault: Fault, now: Date, flapping: boolean): Promise<IntakeOutcome> {
    const last = await store.incidents.lastIncidentOfFault(fault.cluster, fault.faultId);
    if (!last || !isOpen(last.state)) return { kind: 'cleared', note: 'no open incident' };
    if (flapping) return { kind: 'cleared', incidentId: last.id, note: 'flapping: the incident stays open' };
    if ((await store.incidents.countFiringMembers(last.id)) > 0) {
      return { kind: 'cleared', incidentId: last.id, note: 'other faults of the incident still fire' };
    }
    const result = await lifecycle.apply(
      last.id,
      { type: 'incident.resolved', at: now, actor: sourceActor(fault), reason: 'every fault cleared' },
      `every fault of the incident cleared (last: ${fault.class} ${fault.resource.name})`,
    );
    return result.ok
      ? { kind: 'resolved', incidentId: last.id }
      : { kind: 'cleared', incidentId: last.id, note: result.error.message };
  }

  async function fire(fault: Fault, now: Date, firstSeen: boolean): Promise<IntakeOutcome> {
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const { cause, open: openForCause } = await causeOf(fault, now);
      const silence = activeSilence(await currentSilences(now), fault, now, cause.fingerprint);
      if (silence) return { kind: 'silenced', silenceId: silence.id };
      // A fault seen for the first time cannot have been folded anywhere yet.
      const last = firstSeen
        ? undefined
        : await store.incidents.lastIncidentOfFault(fault.cluster, fault.faultId);
      const decision = decideDedup(
        {
          now,
          ...(last && { lastIncidentOfFault: last }),
          ...(openForCause && { openIncidentForCause: openForCause }),
        },
        settings.dedup,
      );
      switch (decision.kind) {
        case 'already_member':
          return { kind: 'already_member', incidentId: decision.incidentId };
        case 'join':
          if (!openForCause) break;
          await join(openForCause, fault, cause.reason, now);
          return { kind: 'joined', incidentId: openForCause.id, reason: cause.reason };
        case 'reopen': {
          const result = await lifecycle.apply(
            decision.incidentId,
            { type: 'incident.reopened', at: now, actor: sourceActor(fault), faultId: fault.faultId },
            `${fault.class} came back on ${fault.resource.name}`,
          );
          if (!result.ok) continue; // something else reopened or closed it meanwhile: look again
          await lifecycle.apply(
            decision.incidentId,
            {
              type: 'triage.requested',
              at: now,
              actor: intakeActor,
              agent: settings.defaultAgent,
              reason: 'recurrence',
            },
            'the fault recurred after resolution',
          );
          return { kind: 'reopened', incidentId: decision.incidentId };
        }
        case 'open': {
          const id = await open(fault, cause, now, decision.previousIncidentId);
          if (id) return { kind: 'opened', incidentId: id, cause };
          break; // another writer opened the same cause first: loop and join it
        }
      }
    }
    throw new Error(`fault ${fault.faultId}: could not settle its incident after 5 attempts`);
  }

  /**
   * Many faults at once: one statement stores them all, one looks up the open incidents of their causes, one
   * folds every fault that joins an open incident. The rest (new incidents, reopens, resolutions, bursts) take
   * the one-by-one path.
   */
  async function ingestBatch(inputs: readonly Fault[]): Promise<IntakeOutcome[]> {
    const now = clock.now();
    const seen = new Set<string>();
    const batch: Fault[] = [];
    const later: number[] = [];
    inputs.forEach((input, i) => {
      const key = `${input.cluster}\u0000${input.faultId}`;
      if (seen.has(key))
        later.push(i); // the same fault twice in one statement is not allowed: take it after
      else {
        seen.add(key);
        batch.push({ ...input, severity: effectiveSeverity(input, settings.severityRules) });
      }
    });
    const recorded = await store.faults.recordMany(batch);
    const results = new Map<Fault, IntakeOutcome>();
    const slow: { fault: Fault; firstSeen: boolean; flapping: boolean }[] = [];
    const fast: Fault[] = [];
    batch.forEach((fault, i) => {
      const outcome = recorded[i];
      if (outcome === 'duplicate') {
        results.set(fault, { kind: 'duplicate' });
        return;
      }
      const flapping = trackState(fault, now);
      if (outcome === 'new' && !fault.resolved) fast.push(fault);
      else slow.push({ fault, firstSeen: outcome === 'new', flapping });
    });

    const silenced = await currentSilences(now);
    const joins: { fault: Fault; cause: ProbableCause; incident: Incident }[] = [];
    for (const [cluster, faults] of groupBy(fast, (f) => f.cluster)) {
      const candidates = new Map(faults.map((f) => [f, candidateCauses(f)]));
      const open = await store.incidents.findOpenByFingerprints(
        cluster,
        fingerprintsOf([...candidates.values()].flat()),
      );
      for (const fault of faults) {
        const picked = pickCause(candidates.get(fault) ?? [], open);
        const silence = picked && activeSilence(silenced, fault, now, picked.cause.fingerprint);
        if (picked && silence) results.set(fault, { kind: 'silenced', silenceId: silence.id });
        else if (picked?.open) joins.push({ fault, cause: picked.cause, incident: picked.open });
        else slow.push({ fault, firstSeen: true, flapping: false });
      }
    }
    const added = await store.incidents.addMembers(
      joins.map(({ fault, cause, incident }) => ({
        incidentId: incident.id,
        cluster: fault.cluster,
        faultId: fault.faultId,
        reason: cause.reason,
        joinedAt: now,
      })),
    );
    for (const { fault, cause, incident } of joins) {
      results.set(fault, { kind: 'joined', incidentId: incident.id, reason: cause.reason });
      if (mostSevere(incident.severity, fault.severity) !== incident.severity) {
        await store.incidents.raiseSeverity(incident.id, fault.severity);
      }
    }
    for (const member of added) {
      await publishFolded(member.incidentId, member.cluster, member.faultId, member.reason, now);
    }
    // Concurrently: two faults racing to open the same cause settle it (the loser joins the winner).
    await Promise.all(
      slow.map(async ({ fault, firstSeen, flapping }) => {
        results.set(
          fault,
          fault.resolved ? await clear(fault, now, flapping) : await fire(fault, now, firstSeen),
        );
      }),
    );
    const out = batch.map((fault) => results.get(fault) ?? { kind: 'duplicate' as const });
    const byInput: IntakeOutcome[] = [];
    let next = 0;
    for (let i = 0; i < inputs.length; i += 1) {
      const input = inputs[i];
      if (later.includes(i) && input) byInput.push(await ingestOne(input));
      else byInput.push(out[next++] ?? { kind: 'duplicate' });
    }
    return byInput;
  }

  async function ingestOne(input: Fault): Promise<IntakeOutcome> {
    const [outcome] = await ingestBatch([input]);
    return outcome ?? { kind: 'duplicate' };
  }

  const batcher = createMicroBatcher(ingestBatch, { maxSize: 128, maxInFlight: 4 });

  return {
    async ingest(input, options) {
      if (options?.agent === undefined) return batcher.add(input);
      requestedAgents.set(faultKey(input), options.agent);
      try {
        return await batcher.add(input);
      } finally {
        requestedAgents.delete(faultKey(input));
      }
    },
  };
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}
