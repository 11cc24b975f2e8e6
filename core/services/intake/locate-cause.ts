/**
 * Where each firing fault would go: its candidate causes (own workload or resource, its node) and the open
 * incidents for them, in one lookup per cluster for the whole batch.
 */
import { candidateCauses, pickDestination } from '../../domain/policies/pick-cause.ts';
import { groupBy, type IntakeDeps, type LocatedItem, type RefinedItem } from './intake-item.ts';

export async function locateCauses(items: readonly RefinedItem[], deps: IntakeDeps): Promise<LocatedItem[]> {
  const located: LocatedItem[] = [];
  for (const [cluster, group] of groupBy(items, (item) => item.fault.cluster)) {
    const candidates = group.map((item) => candidateCauses(item.fault, deps.settings.correlation));
    const fingerprints = [...new Set(candidates.flat().map((cause) => cause.fingerprint))];
    const open = await deps.store.incidents.findOpenByFingerprints(cluster, fingerprints);
    group.forEach((item, i) =>
      located.push({
        ...item,
        destination: pickDestination(item.fault, candidates[i] ?? [], open, deps.settings.correlation),
      }),
    );
  }
  return located;
}
