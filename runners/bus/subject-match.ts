/** NATS subject wildcards: `*` matches one token, `>` the rest (one or more tokens). */
export function subjectMatches(filter: string, subject: string): boolean {
  const f = filter.split('.');
  const s = subject.split('.');
  for (let i = 0; i < f.length; i++) {
    const token = f[i];
    if (token === '>') return s.length > i;
    if (i >= s.length) return false;
    if (token !== '*' && token !== s[i]) return false;
  }
  return f.length === s.length;
}

/** True when every subject `filter` can match is also matched by `pattern` (the filter lies inside a stream). */
export function filterWithin(filter: string, pattern: string): boolean {
  const f = filter.split('.');
  const p = pattern.split('.');
  for (let i = 0; i < p.length; i++) {
    const token = p[i];
    if (token === '>') return f.length > i;
    const other = f[i];
    if (other === undefined || other === '>') return false;
    if (token !== '*' && (other === '*' || other !== token)) return false;
  }
  return f.length === p.length;
}

/** A concrete subject to publish to: dotted tokens, no wildcards, no whitespace. */
export function assertPublishable(subject: string): void {
  if (!/^[^\s.*>]+(\.[^\s.*>]+)*$/.test(subject)) {
    throw new Error(
      `cannot publish to ${JSON.stringify(subject)}: a subject is dotted tokens without wildcards`,
    );
  }
}
