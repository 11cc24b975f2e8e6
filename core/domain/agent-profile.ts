/** How to run one agent CLI for a triage run (from the `agents:` configuration). */
export interface AgentProfile {
  readonly name: string;
  readonly kind: 'custom';
  readonly command: string;
  readonly args: readonly string[];
  /** Environment for the agent: plain values from the file and secrets resolved from named variables. */
  readonly env: Readonly<Record<string, string>>;
  /** Where the CLI looks for skills, relative to its working folder. */
  readonly skillsPath: string;
  readonly timeoutMs?: number;
  /** `local` (a process on Watchkeeper's machine) or `kubernetes-job` (needs `image`). */
  readonly runner?: 'local' | 'kubernetes-job';
  /** The image the Kubernetes Job runner runs this agent in (deploy/docker/agent.Dockerfile). */
  readonly image?: string;
}
