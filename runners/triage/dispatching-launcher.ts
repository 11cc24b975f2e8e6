/** Sends each run to the sandbox its agent profile asks for: a local process or a Kubernetes Job. */
import type { AgentProfile } from '../../core/domain/agent-profile.ts';
import type { TriageLauncher } from '../../core/ports/triage-launcher.ts';

export function createDispatchingLauncher(
  profiles: Readonly<Record<string, AgentProfile>>,
  launchers: { readonly local: TriageLauncher; readonly job?: TriageLauncher },
): TriageLauncher {
  const pick = (agent: string): TriageLauncher =>
    profiles[agent]?.runner === 'kubernetes-job' && launchers.job ? launchers.job : launchers.local;
  return {
    runner: 'local',
    runnerFor: (agent) => pick(agent).runner,
    launch: (request) => pick(request.run.agent).launch(request),
    reattach: (run, signal) =>
      run.sandbox?.kind === 'kubernetes-job' && launchers.job
        ? launchers.job.reattach(run, signal)
        : launchers.local.reattach(run, signal),
  };
}
