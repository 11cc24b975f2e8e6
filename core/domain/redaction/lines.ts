/** One line of a text (or a window of a very long line) with its offset in the text. */
export interface Line {
  readonly at: number;
  readonly text: string;
  readonly lower: string;
}

/**
 * Long lines are cut into overlapping windows so that no backtracking regexp ever sees more than `window` +
 * `overlap` characters: the rule data was written for RE2 (linear time) and hostile text must not stall us.
 * A secret shorter than `overlap` is always wholly inside one window.
 */
export function splitLines(text: string, window = 2048, overlap = 512): Line[] {
  const lines: Line[] = [];
  let at = 0;
  for (const line of text.split('\n')) {
    if (line.length <= window + overlap) lines.push({ at, text: line, lower: line.toLowerCase() });
    else {
      for (let start = 0; start < line.length; start += window) {
        const piece = line.slice(start, start + window + overlap);
        lines.push({ at: at + start, text: piece, lower: piece.toLowerCase() });
      }
    }
    at += line.length + 1;
  }
  return lines;
}
