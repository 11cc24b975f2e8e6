/** A half-open span [start, end) of text to hide. */
export type Span = readonly [start: number, end: number];

/** Replaces every span (overlapping or not) by `mask`, each merged run once. */
export function maskSpans(text: string, spans: Span[], mask: string): string {
  if (spans.length === 0) return text;
  spans.sort((a, b) => a[0] - b[0]);
  let out = '';
  let at = 0;
  let open: [number, number] | undefined;
  for (const [start, end] of spans) {
    if (end <= start) continue;
    if (open && start <= open[1]) open[1] = Math.max(open[1], end);
    else {
      if (open) {
        out += text.slice(at, open[0]) + mask;
        at = open[1];
      }
      open = [start, end];
    }
  }
  if (open) {
    out += text.slice(at, open[0]) + mask;
    at = open[1];
  }
  return out + text.slice(at);
}
