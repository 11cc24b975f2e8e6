/** Every policy knob of incident handling, with the defaults the embedded setup runs on. */
import type { CapSettings } from '../domain/policies/admission.ts';
import { defaultCaps } from '../domain/policies/admission.ts';
import type { BudgetSettings } from '../domain/policies/budgets.ts';
import { defaultBudgets } from '../domain/policies/budgets.ts';
import type { BreakerSettings } from '../domain/policies/circuit-breaker.ts';
import { defaultBreaker } from '../domain/policies/circuit-breaker.ts';
import type { CorrelationSettings } from '../domain/policies/correlation.ts';
import { defaultCorrelation } from '../domain/policies/correlation.ts';
import type { DedupSettings } from '../domain/policies/dedup.ts';
import { defaultDedup } from '../domain/policies/dedup.ts';
import type { FlapSettings } from '../domain/policies/flap.ts';
import { defaultFlap } from '../domain/policies/flap.ts';
import type { SeverityRule } from '../domain/policies/severity-rules.ts';
import { defaultQuiet } from '../domain/policies/quiet-resolution.ts';
import { defaultRecurrence } from '../domain/policies/recurrence.ts';

export interface IncidentSettings {
  readonly dedup: DedupSettings;
  readonly correlation: CorrelationSettings;
  readonly flap: FlapSettings;
  readonly severityRules: readonly SeverityRule[];
  readonly caps: CapSettings;
  readonly breaker: BreakerSettings;
  readonly budgets: BudgetSettings;
  /** A resolved incident closes after this long without a recurrence. */
  readonly closeAfterMs: number;
  /** An open incident resolves by itself once every one of its faults has stayed clear this long. */
  readonly quietPeriodMs: number;
  /**
   * Per fault source, keyed `${source.kind}:${source.name}` (e.g. `mcp:fork`): a firing fault not observed
   * again within this many ms counts as cleared (expired). Sources not listed never expire their faults.
   */
  readonly faultTtlMs: ReadonlyMap<string, number>;
  /** A reopened incident whose triage report is younger than this goes back to it instead of triaging again. */
  readonly retriageAfterMs: number;
  /** How long a claim on queued work lasts without renewal; a dead process's claims free up after it. */
  readonly leaseMs: number;
  /** The agent profile triage runs use unless a person picks another. */
  readonly defaultAgent: string;
}

export const defaultIncidentSettings: IncidentSettings = {
  dedup: defaultDedup,
  correlation: defaultCorrelation,
  flap: defaultFlap,
  severityRules: [],
  caps: defaultCaps,
  breaker: defaultBreaker,
  budgets: defaultBudgets,
  closeAfterMs: 24 * 3_600_000,
  quietPeriodMs: defaultQuiet.quietPeriodMs,
  faultTtlMs: defaultQuiet.faultTtlMs,
  retriageAfterMs: defaultRecurrence.retriageAfterMs,
  leaseMs: 30_000,
  defaultAgent: 'default',
};
