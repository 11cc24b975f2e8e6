/**
 * The `incidents:` section: dedup and folding windows, quiet resolution and fault TTLs, severity rules, caps,
 * budgets, the circuit breaker.
 */
import { z } from 'zod';
import { FaultClassSchema, faultSourceKinds } from '../../core/domain/fault.ts';
import { SeveritySchema } from '../../core/domain/severity.ts';
import {
  defaultIncidentSettings as d,
  type IncidentSettings,
} from '../../core/services/incident-settings.ts';

const count = (max: number) => z.number().int().min(1).max(max);
const minutes = z
  .number()
  .positive()
  .max(7 * 24 * 60);
const toMinutes = (ms: number) => ms / 60_000;

export const IncidentsSchema = z
  .strictObject({
    /** A fault that recurs this soon after its incident resolved reopens it; later it opens a new, linked one. */
    reopenWindowMinutes: minutes.default(toMinutes(d.dedup.reopenWindowMs)),
    /** A resolved incident closes after this long without a recurrence. */
    closeAfterMinutes: minutes.default(toMinutes(d.closeAfterMs)),
    /** An open incident resolves by itself once every one of its faults has stayed clear this long. */
    quietPeriodMinutes: minutes.default(toMinutes(d.quietPeriodMs)),
    /** A reopened incident whose triage report is younger than this goes back to it instead of triaging again. */
    retriageAfterMinutes: minutes.default(toMinutes(d.retriageAfterMs)),
    /**
     * Per fault source (`<kind>:<name>`, e.g. `mcp:fork` or `webhook:faults`): a firing fault not observed again
     * within this many minutes counts as cleared. For sources that never send a resolution.
     */
    faultTtlMinutes: z
      .record(
        z
          .string()
          .regex(
            new RegExp(`^(${faultSourceKinds.join('|')}):.+$`),
            `a fault source as <kind>:<name>, kind one of ${faultSourceKinds.join(', ')}`,
          ),
        minutes,
      )
      .default({}),
    burst: z
      .strictObject({
        windowSeconds: z
          .number()
          .int()
          .min(1)
          .max(3600)
          .default(d.correlation.burstWindowMs / 1000),
        threshold: count(1000).default(d.correlation.burstThreshold),
      })
      .prefault({}),
    flap: z
      .strictObject({
        windowMinutes: minutes.default(toMinutes(d.flap.windowMs)),
        changes: count(1000).default(d.flap.threshold),
      })
      .prefault({}),
    severityRules: z
      .array(
        z.strictObject({
          match: z.strictObject({
            cluster: z.string().min(1).optional(),
            namespace: z.string().min(1).optional(),
            class: FaultClassSchema.optional(),
            labels: z.record(z.string(), z.string()).optional(),
          }),
          severity: SeveritySchema,
        }),
      )
      .default([]),
    caps: z
      .strictObject({
        maxConcurrentRuns: count(1000).default(d.caps.maxConcurrentRuns),
        maxConcurrentRunsPerCluster: count(1000).default(d.caps.maxConcurrentRunsPerCluster),
        perCluster: z.record(z.string(), count(1000)).default({}),
        maxRunStartsPerMinute: count(10_000).default(d.caps.maxRunStartsPerMinute),
      })
      .prefault({}),
    breaker: z
      .strictObject({
        failureThreshold: count(1000).default(d.breaker.failureThreshold),
        probeAfterMinutes: minutes.default(toMinutes(d.breaker.probeAfterMs)),
      })
      .prefault({}),
    budgets: z
      .strictObject({
        wallTimeMinutes: z
          .number()
          .positive()
          .max(24 * 60)
          .default(toMinutes(d.budgets.default.wallTimeMs)),
        maxTurns: count(10_000).default(d.budgets.default.maxTurns),
        maxCostUsd: z.number().positive().max(10_000).optional(),
        maxRunsPerIncident: count(1000).default(d.budgets.maxRunsPerIncident),
      })
      .prefault({}),
  })
  .prefault({});

export type IncidentsFile = z.infer<typeof IncidentsSchema>;

export function toIncidentSettings(file: IncidentsFile): IncidentSettings {
  const budgetCost = file.budgets.maxCostUsd ?? d.budgets.default.maxCostUsd;
  return {
    ...d,
    dedup: { reopenWindowMs: file.reopenWindowMinutes * 60_000 },
    closeAfterMs: file.closeAfterMinutes * 60_000,
    quietPeriodMs: file.quietPeriodMinutes * 60_000,
    retriageAfterMs: file.retriageAfterMinutes * 60_000,
    faultTtlMs: printableMap(Object.entries(file.faultTtlMinutes).map(([source, m]) => [source, m * 60_000])),
    correlation: { burstWindowMs: file.burst.windowSeconds * 1000, burstThreshold: file.burst.threshold },
    flap: { windowMs: file.flap.windowMinutes * 60_000, threshold: file.flap.changes },
    severityRules: file.severityRules.map((rule) => ({
      severity: rule.severity,
      match: Object.fromEntries(Object.entries(rule.match).filter(([, v]) => v !== undefined)),
    })),
    caps: { ...file.caps },
    breaker: {
      failureThreshold: file.breaker.failureThreshold,
      probeAfterMs: file.breaker.probeAfterMinutes * 60_000,
    },
    budgets: {
      default: {
        wallTimeMs: file.budgets.wallTimeMinutes * 60_000,
        maxTurns: file.budgets.maxTurns,
        ...(budgetCost !== undefined && { maxCostUsd: budgetCost }),
      },
      maxRunsPerIncident: file.budgets.maxRunsPerIncident,
    },
  };
}

/** A Map that prints as an object in `watchkeeper config` (JSON.stringify shows a plain Map as `{}`). */
function printableMap<V>(entries: readonly (readonly [string, V])[]): ReadonlyMap<string, V> {
  const map = new Map<string, V>(entries);
  return Object.assign(map, { toJSON: () => Object.fromEntries(map) });
}
