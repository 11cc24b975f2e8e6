/**
 * Stage 1, record: every observation is stored before anything else is decided, so nothing is lost even when it
 * is later silenced, flapping or a replay. Severity rules apply first, and a fault that came without owners gets
 * the owners its name implies (the rule that inferred them is kept on the fault).
 */
import type { Fault } from '../../domain/fault.ts';
import { inferOwners } from '../../domain/policies/infer-owner.ts';
import { effectiveSeverity } from '../../domain/policies/severity-rules.ts';
import type { IntakeDeps, IntakeItem, RecordedItem } from './intake-item.ts';

/** The fault as intake keeps it: severity after the rules, owners inferred from names when absent. */
export function normalize(fault: Fault, settings: IntakeDeps['settings']): Fault {
  const severity = effectiveSeverity(fault, settings.severityRules);
  const withSeverity = severity === fault.severity ? fault : { ...fault, severity };
  if (fault.context.owners !== undefined && fault.context.owners.length > 0) return withSeverity;
  const inferred = inferOwners(fault.resource);
  if (!inferred) return withSeverity;
  return {
    ...withSeverity,
    context: { ...fault.context, owners: [...inferred.owners], ownersInferredBy: inferred.rule },
  };
}

/** Every (cluster, faultId) at most once: the store takes one row per fault in a statement. */
export async function record(items: readonly IntakeItem[], deps: IntakeDeps): Promise<RecordedItem[]> {
  if (items.length === 0) return [];
  const records = await deps.store.faults.recordMany(items.map((item) => item.fault));
  return items.map((item, i) => ({ ...item, record: records[i] ?? { outcome: 'duplicate' } }));
}
