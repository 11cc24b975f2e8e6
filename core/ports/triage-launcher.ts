/**
 * Runs one agent investigation in a sandbox (a local process group, a Kubernetes Job) and reports how it ended.
 * Implementations live in runners/; the scheduler in core/services drives them.
 */
import type { Incident } from '../domain/incident.ts';
import type { RunBudget } from '../domain/policies/budgets.ts';
import type { RunFailure, SandboxRef, TriageRun } from '../domain/run.ts';
import type { Usage } from '../domain/usage.ts';

export type RunResult =
  | { readonly ok: true; readonly usage?: Usage; readonly reportKey?: string }
  | { readonly ok: false; readonly failure: RunFailure; readonly usage?: Usage };

export interface LaunchRequest {
  readonly run: TriageRun;
  readonly incident: Incident;
  readonly budget: RunBudget;
  /** Aborting stops the sandbox (the whole process tree or the Job); the result is then `cancelled`. */
  readonly signal: AbortSignal;
  /** Called once the sandbox exists, so it is recorded before anything else can go wrong. */
  readonly onSandbox: (sandbox: SandboxRef) => Promise<void>;
}

export interface TriageLauncher {
  readonly runner: TriageRun['runner'];
  /** The sandbox kind a run of this agent gets, when it depends on the agent's profile. */
  runnerFor?(agent: string): TriageRun['runner'];
  /** Resolves when the run has ended, however it ended; never rejects for an agent failure. */
  launch(request: LaunchRequest): Promise<RunResult>;
  /**
   * After a restart, for a run another (dead) process started: follows it to its end when its sandbox still
   * runs and can be followed (a Job), or makes sure it is stopped and returns `undefined` so it is run again.
   */
  reattach(run: TriageRun, signal: AbortSignal): Promise<RunResult | undefined>;
}
