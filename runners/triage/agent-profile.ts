/**
 * An agent profile: how to run one agent CLI. `custom` runs any command; its arguments may use {promptFile},
 * {prompt}, {reportFile}, {workspace}, {incidentFile}, {kubeconfig}, {mcpConfig}, {runId}, {maxTurns}, {timeoutSeconds}.
 */
import type { RunBudget } from '../../core/domain/policies/budgets.ts';
import type { TriageRun } from '../../core/domain/run.ts';
import type { Workspace } from '../workspace/prepare-workspace.ts';

export function expandArgs(
  args: readonly string[],
  workspace: Workspace,
  run: TriageRun,
  budget: RunBudget,
): string[] {
  const values: Record<string, string> = {
    promptFile: workspace.promptFile,
    prompt: workspace.prompt,
    reportFile: workspace.reportFile,
    workspace: workspace.dir,
    incidentFile: workspace.incidentFile,
    kubeconfig: workspace.kubeconfigFile ?? '',
    mcpConfig: workspace.mcpConfigFile ?? '',
    runId: run.id,
    maxTurns: String(budget.maxTurns),
    timeoutSeconds: String(Math.round(budget.wallTimeMs / 1000)),
  };
  return args.map((arg) => arg.replace(/\{([a-zA-Z]+)\}/g, (whole, name: string) => values[name] ?? whole));
}
