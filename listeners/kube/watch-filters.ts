/** Which namespaced objects the watcher looks at: namespace and label include/exclude lists. */
export interface WatchFilters {
  readonly includeNamespaces?: readonly string[];
  readonly excludeNamespaces?: readonly string[];
  /** Every label here must match for an object to be watched. */
  readonly includeLabels?: Readonly<Record<string, string>>;
  /** Any label here that matches excludes the object. */
  readonly excludeLabels?: Readonly<Record<string, string>>;
}

interface Labelled {
  readonly metadata?: { readonly namespace?: string; readonly labels?: Readonly<Record<string, string>> };
}

export function passesFilters(object: Labelled, filters: WatchFilters | undefined): boolean {
  if (!filters) return true;
  const namespace = object.metadata?.namespace ?? '';
  const labels = object.metadata?.labels ?? {};
  if (
    filters.includeNamespaces &&
    filters.includeNamespaces.length > 0 &&
    !filters.includeNamespaces.includes(namespace)
  ) {
    return false;
  }
  if (filters.excludeNamespaces?.includes(namespace)) return false;
  if (filters.includeLabels && !Object.entries(filters.includeLabels).every(([k, v]) => labels[k] === v))
    return false;
  if (filters.excludeLabels && Object.entries(filters.excludeLabels).some(([k, v]) => labels[k] === v))
    return false;
  return true;
}

/** The namespace lists only (for Events, which carry no workload labels). */
export function passesNamespace(namespace: string, filters: WatchFilters | undefined): boolean {
  return passesFilters(
    { metadata: { namespace } },
    filters && { ...filters, includeLabels: {}, excludeLabels: {} },
  );
}
