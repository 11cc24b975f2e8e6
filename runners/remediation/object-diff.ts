/**
 * What an action changes, as people review it before approving: one line per changed field of the object
 * (`path: before → after`), leaving out what the apiserver maintains itself (status, resourceVersion,
 * generation, managedFields, timestamps).
 */
const ignored = new Set([
  'status',
  'metadata.resourceVersion',
  'metadata.generation',
  'metadata.managedFields',
  'metadata.creationTimestamp',
  'metadata.uid',
]);

export interface FieldChange {
  readonly path: string;
  readonly before: unknown;
  readonly after: unknown;
}

export function diffObjects(before: unknown, after: unknown): FieldChange[] {
  const changes: FieldChange[] = [];
  walk(plain(before), plain(after), '', changes);
  return changes;
}

export function formatChanges(changes: readonly FieldChange[]): string {
  if (changes.length === 0) return '(no change)';
  return changes.map((change) => `${change.path}: ${show(change.before)} → ${show(change.after)}`).join('\n');
}

function walk(a: unknown, b: unknown, path: string, out: FieldChange[]): void {
  if (ignored.has(path)) return;
  if (isObject(a) && isObject(b)) {
    for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort())
      walk(a[key], b[key], path ? `${path}.${key}` : key, out);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    a.forEach((item, i) => walk(item, b[i], `${path}[${i}]`, out));
    return;
  }
  if (JSON.stringify(a) !== JSON.stringify(b)) out.push({ path, before: a, after: b });
}

/** Objects from the client carry Date instances and class prototypes; compare their JSON form. */
function plain(value: unknown): unknown {
  return value === undefined ? undefined : (JSON.parse(JSON.stringify(value)) as unknown);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function show(value: unknown): string {
  if (value === undefined) return '(none)';
  const text = JSON.stringify(value);
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}
