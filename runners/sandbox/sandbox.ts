/**
 * The port every runner implements: a sandbox runs one prepared triage (a local process group, a Kubernetes Job)
 * and the run pipeline (runners/triage/run-triage.ts) drives it the same way for all of them: start, follow its
 * progress to the end, collect what the agent left, stop it.
 */
import type { AgentProfile } from '../../core/domain/agent-profile.ts';
import type { SandboxRef, TriageRun } from '../../core/domain/run.ts';
import type { Usage } from '../../core/domain/usage.ts';
import type { LaunchRequest, RunResult } from '../../core/ports/triage-launcher.ts';
import type { FoldedFault } from '../workspace/prepare-workspace.ts';
import type { RunProgress } from './run-progress.ts';

/** The run's cluster access: the minted token's kubeconfig and what it may do. */
export interface RunAccess {
  readonly kubeconfig: string;
  readonly summary: string;
  readonly expiresAt: Date;
}

export interface FollowUp {
  readonly question: string;
  readonly previousReport?: string;
}

/** Everything a run needs, gathered once by the pipeline, whichever sandbox it runs in. */
export interface SandboxInput {
  readonly request: Pick<LaunchRequest, 'run' | 'incident' | 'budget'>;
  readonly profile: AgentProfile;
  readonly faults: readonly FoldedFault[];
  readonly followUp?: FollowUp;
  readonly access?: RunAccess;
  /** The run's wall-time limit: the budget's, or the profile's when lower. */
  readonly timeoutMs: number;
  readonly progress: RunProgress;
}

/** How the agent ended, as far as the sandbox can tell (before its report is read). */
export interface SandboxEnd {
  readonly result: RunResult;
  /** The agent's last message, when it answered with the report instead of writing the file. */
  readonly finalText?: string;
  /** The sandbox was removed by someone else before it ended (a Job deleted): a re-attached run goes again. */
  readonly vanished?: boolean;
}

/** What the agent left behind: its report (if any), its transcript and run metadata for run.json. */
export interface SandboxArtifacts {
  readonly report?: string;
  /** Where the report was expected, for the failure message when there is none. */
  readonly reportLocation: string;
  readonly transcript: string;
  readonly metadata: {
    readonly model?: string | undefined;
    readonly cliVersion?: string | undefined;
    readonly sessionId?: string | undefined;
    readonly usage?: Usage | undefined;
  } & Readonly<Record<string, unknown>>;
}

export interface Sandbox {
  /** The sandbox publishes the run's `run.started` itself (the in-pod runner); else the pipeline does. */
  readonly announcesStart: boolean;
  /** Creates the sandbox and starts the agent; resolves with its reference once it exists. */
  start(): Promise<SandboxRef>;
  /** Publishes the run's progress until the agent ends; aborting `signal` stops it (result `cancelled`). */
  follow(signal: AbortSignal): Promise<SandboxEnd>;
  collect(): Promise<SandboxArtifacts>;
  /** Stops whatever still runs and releases what the sandbox holds; safe to call at any time, more than once. */
  stop(): Promise<void>;
}

export interface SandboxProvider {
  readonly runner: TriageRun['runner'];
  create(input: SandboxInput): Promise<Sandbox>;
  /**
   * For a run a dead Watchkeeper started: a sandbox to follow when it still runs and can be followed (a Job),
   * else `undefined` once anything left of it is stopped, so the run is started again.
   */
  attach(run: TriageRun, progress: RunProgress): Promise<Sandbox | undefined>;
}
