/** Per-incident budgets handed to every run: the runner enforces wall time, the agent its turns and cost. */
import type { Severity } from '../severity.ts';

export interface RunBudget {
  readonly wallTimeMs: number;
  readonly maxTurns: number;
  /** Only for agents that can enforce a cost cap; others are stopped by wall time and turns. */
  readonly maxCostUsd?: number;
}

export interface BudgetSettings {
  readonly default: RunBudget;
  /** Overrides by severity, e.g. more time for critical incidents. */
  readonly bySeverity?: Partial<Record<Severity, Partial<RunBudget>>>;
  /** Total runs (triage, reruns, follow-ups) one incident may start. */
  readonly maxRunsPerIncident: number;
}

export const defaultBudgets: BudgetSettings = {
  default: { wallTimeMs: 15 * 60_000, maxTurns: 40, maxCostUsd: 2 },
  maxRunsPerIncident: 5,
};

export function budgetFor(severity: Severity, settings: BudgetSettings = defaultBudgets): RunBudget {
  return { ...settings.default, ...settings.bySeverity?.[severity] };
}

export type RunAllowance =
  | { readonly ok: true; readonly budget: RunBudget }
  | { readonly ok: false; readonly reason: 'incident_budget_spent'; readonly message: string };

/** Whether one more run may start for an incident that has already started `runsSoFar`. */
export function allowRun(
  severity: Severity,
  runsSoFar: number,
  settings: BudgetSettings = defaultBudgets,
): RunAllowance {
  if (runsSoFar >= settings.maxRunsPerIncident) {
    return {
      ok: false,
      reason: 'incident_budget_spent',
      message: `this incident already used its ${settings.maxRunsPerIncident} runs`,
    };
  }
  return { ok: true, budget: budgetFor(severity, settings) };
}
