/**
 * The contract every Sandbox implementation keeps, run through the one run pipeline (runTriage) against real
 * PostgreSQL, NATS JetStream, S3 and the harness cluster: what the agent gets (the incident's faults and why they
 * were folded, the follow-up question and previous report), what Watchkeeper keeps (a validated, redacted report;
 * numbered progress), and how a run ends (no report: a clear failure; cancel: the sandbox is gone; re-attach).
 * Each implementation brings a driver that plays its agent the way that sandbox's agent would.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AgentProfile } from '../../core/domain/agent-profile.ts';
import { asIncidentId } from '../../core/domain/ids.ts';
import { foldReasonText, type Incident } from '../../core/domain/incident.ts';
import type { SandboxRef, TriageRun } from '../../core/domain/run.ts';
import type { Bus } from '../../core/ports/bus.ts';
import type { RunResult } from '../../core/ports/triage-launcher.ts';
import { openStore, type OpenedStore } from '../../core/store/open-store.ts';
import { openNatsBus } from '../../runners/bus/nats-bus.ts';
import { createS3ReportStore, type S3ReportStore } from '../../runners/reports/s3-report-store.ts';
import type { SandboxProvider } from '../../runners/sandbox/sandbox.ts';
import { reattachTriage, runTriage, type RunTriageDeps } from '../../runners/triage/run-triage.ts';
import { makeFault, makeIncident, makeRun } from '../fixtures/domain.ts';
import { silentLogger } from '../fixtures/logger.ts';
import { harness } from '../harness/use.ts';
import { createTestDatabase } from '../store/postgres-database.ts';

export const validReportFile = new URL('fixtures/valid-report.md', import.meta.url);

export type AgentMode = 'report' | 'silent' | 'hang';

export interface ContractEnv {
  readonly store: OpenedStore;
  readonly reports: S3ReportStore;
  readonly bus: Bus;
}

/** What one implementation brings to the contract. */
export interface SandboxDriver {
  readonly provider: SandboxProvider;
  /** The profile whose agent behaves as `mode` says in this sandbox. */
  profile(mode: AgentMode): AgentProfile;
  /** Before the run starts: anything the agent "does" outside Watchkeeper's view (a kwok pod runs nothing). */
  beforeRun?(run: TriageRun, incident: Incident, mode: AgentMode): Promise<void>;
  /** What the agent was given to read (its prompt, or the pod's run spec). */
  inputsOf(run: TriageRun, ref: SandboxRef): Promise<string>;
  /** Whether anything of the sandbox still runs. */
  isRunning(ref: SandboxRef): Promise<boolean>;
  /** Whether a re-attached run is followed to its end (a Job) or stopped and run again (a local process). */
  readonly followsAfterRestart: boolean;
}

export function useContractEnv(prefix: string): ContractEnv {
  const env = {} as { store: OpenedStore; reports: S3ReportStore; bus: Bus };
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  beforeAll(async () => {
    database = await createTestDatabase();
    env.store = await openStore({ kind: 'postgres', url: database.url });
    env.bus = await openNatsBus({ url: harness('nats').url, logger: silentLogger });
    const s3 = harness('s3');
    env.reports = createS3ReportStore({
      bucket: s3.bucket,
      prefix: `${prefix}-${randomUUID()}/`,
      region: s3.region,
      endpoint: s3.endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    });
  });
  afterAll(async () => {
    env.reports.close();
    await env.bus.close();
    await env.store.close();
    await database.drop();
  });
  return env;
}

export function sandboxContract(env: ContractEnv, driver: () => SandboxDriver): void {
  const deps = (d: SandboxDriver): RunTriageDeps => ({
    profiles: Object.fromEntries(
      (['report', 'silent', 'hang'] as const).map((mode) => [d.profile(mode).name, d.profile(mode)]),
    ),
    store: env.store,
    reports: env.reports,
    bus: env.bus,
    logger: silentLogger,
    sandboxes: d.provider,
  });

  async function incidentWithFaults(): Promise<Incident> {
    const incident = makeIncident({ title: 'checkout is crash-looping' });
    await env.store.incidents.create(incident);
    for (const [name, reason] of [
      ['checkout-7d9f', 'primary'],
      ['checkout-8a1c', 'same_owner_workload'],
    ] as const) {
      const fault = makeFault({
        resource: { apiVersion: 'v1', kind: 'Pod', namespace: 'shop', name, uid: randomUUID() },
      });
      await env.store.faults.record(fault);
      await env.store.incidents.addMember({
        incidentId: asIncidentId(incident.id),
        cluster: fault.cluster,
        faultId: fault.faultId,
        reason,
        joinedAt: new Date(),
      });
    }
    return incident;
  }

  async function launch(
    d: SandboxDriver,
    mode: AgentMode,
    options: { question?: string; signal?: AbortSignal; incident?: Incident } = {},
  ): Promise<{ result: RunResult; run: TriageRun; incident: Incident; ref: SandboxRef | undefined }> {
    const incident = options.incident ?? (await incidentWithFaults());
    const run = makeRun(incident, {
      agent: d.profile(mode).name,
      runner: d.provider.runner,
      ...(options.question !== undefined && { question: options.question, purpose: 'follow_up' as const }),
    });
    await env.store.runs.create(run);
    await d.beforeRun?.(run, incident, mode);
    let ref: SandboxRef | undefined;
    const result = await runTriage(deps(d), {
      run,
      incident,
      budget: { wallTimeMs: 120_000, maxTurns: 10 },
      signal: options.signal ?? new AbortController().signal,
      onSandbox: (sandbox) => {
        ref = sandbox;
        return Promise.resolve();
      },
    });
    return { result, run, incident, ref };
  }

  it('gives the agent the incident’s faults and why each was folded in, and keeps its validated report', async () => {
    const d = driver();
    const { result, run, incident, ref } = await launch(d, 'report');
    expect(result).toMatchObject({
      ok: true,
      reportKey: `incidents/${incident.id}/runs/${run.id}/report.md`,
    });
    expect(ref?.kind).toBe(d.provider.runner);
    const inputs = await d.inputsOf(run, ref!);
    expect(inputs).toContain('checkout-7d9f');
    expect(inputs).toContain('checkout-8a1c');
    // Why it was folded in: the prompt's words, or the reason the pod's runner renders them from.
    expect(inputs).toMatch(
      new RegExp(`${foldReasonText.same_owner_workload}|"reason":"same_owner_workload"`),
    );
    const stored = await env.store.reports.getByRun(run.id);
    expect(stored?.card.rootCause).toBe('the image tag does not exist');
    const runJson = JSON.parse(
      Buffer.from((await env.reports.get(stored?.artifacts.metadataKey ?? ''))?.body ?? []).toString(),
    ) as Record<string, unknown>;
    expect(runJson).toMatchObject({ runId: run.id, agent: run.agent });
  });

  it('hands a follow-up run its question and the incident’s previous report', async () => {
    const d = driver();
    const first = await launch(d, 'report');
    expect(first.result.ok).toBe(true);
    const question = 'why did the image tag vanish?';
    const { run, ref } = await launch(d, 'report', { question, incident: first.incident });
    const inputs = await d.inputsOf(run, ref!);
    expect(inputs).toContain(question);
    expect(inputs).toContain('the image tag does not exist'); // the previous report's root cause
  });

  it('fails a run whose agent left no report, saying where the report was expected, and numbers its progress', async () => {
    const d = driver();
    const { result, run } = await launch(d, 'silent');
    expect(result).toMatchObject({
      ok: false,
      failure: { reason: 'invalid_report', detail: expect.stringMatching(/no report/) as string },
    });
    const events = await env.store.progress.list(run.id);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.at(-1)).toMatchObject({ type: 'run.finished', ok: false });
    expect(events.filter((e) => e.type === 'run.finished')).toHaveLength(1);
  });

  it('stops the sandbox when the run is cancelled: nothing of it keeps running', async () => {
    const d = driver();
    const controller = new AbortController();
    const incident = await incidentWithFaults();
    let ref: SandboxRef | undefined;
    const run = makeRun(incident, { agent: d.profile('hang').name, runner: d.provider.runner });
    await env.store.runs.create(run);
    await d.beforeRun?.(run, incident, 'hang');
    const launched = runTriage(deps(d), {
      run,
      incident,
      budget: { wallTimeMs: 120_000, maxTurns: 10 },
      signal: controller.signal,
      onSandbox: (sandbox) => {
        ref = sandbox;
        setTimeout(() => controller.abort(), 300);
        return Promise.resolve();
      },
    });
    const result = await launched;
    expect(result).toMatchObject({ ok: false, failure: { reason: 'cancelled' } });
    const stoppedAt = Date.now();
    while ((await d.isRunning(ref!)) && Date.now() - stoppedAt < 2_000)
      await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await d.isRunning(ref!)).toBe(false);
  });

  it('after a restart, follows a run still in its sandbox to the end, or stops it so it runs again', async () => {
    const d = driver();
    const controller = new AbortController();
    const incident = await incidentWithFaults();
    const mode: AgentMode = d.followsAfterRestart ? 'report' : 'hang';
    const run = makeRun(incident, { agent: d.profile(mode).name, runner: d.provider.runner });
    await env.store.runs.create(run);
    await d.beforeRun?.(run, incident, mode);
    // The first Watchkeeper starts the run and dies: its pipeline is abandoned once the sandbox exists.
    let ref: SandboxRef | undefined;
    const dying = new AbortController();
    const recorded = new Promise<void>((resolve) => {
      void runTriage(
        { ...deps(d), sandboxes: { ...d.provider, create: (input) => d.provider.create(input) } },
        {
          run,
          incident,
          budget: { wallTimeMs: 120_000, maxTurns: 10 },
          signal: dying.signal,
          onSandbox: (sandbox) => {
            ref = sandbox;
            resolve();
            return new Promise(() => undefined); // never returns: the process "died" here
          },
        },
      );
    });
    await recorded;
    const reattached = await reattachTriage(deps(d), { ...run, sandbox: ref! }, controller.signal);
    if (d.followsAfterRestart) {
      expect(reattached).toMatchObject({ ok: true });
      expect((await env.store.reports.getByRun(run.id))?.card.rootCause).toBe('the image tag does not exist');
    } else {
      expect(reattached).toBeUndefined();
      expect(await d.isRunning(ref!)).toBe(false);
    }
  });
}

export const validReport = () => readFile(validReportFile, 'utf8');
