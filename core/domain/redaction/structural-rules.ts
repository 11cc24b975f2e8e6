import { shannonEntropy } from './entropy.ts';
import type { Span } from './ranges.ts';
import { isHarmlessValue, isSecretKeyName } from './secret-key-name.ts';

/**
 * Secrets recognised by where they stand rather than what they look like: the value of a secret-looking key in
 * JSON (also JSON escaped inside a string), YAML, env files, headers and command flags, the `value` of an env
 * entry whose `name` is secret-looking, and the formats every stack shares (PEM/PGP private keys, bearer and
 * basic credentials, JWTs, passwords in URLs). Provider-specific token shapes come from the gitleaks rules.
 *
 * Linear on hostile text: a word search finds candidate keys, and each candidate is examined by sticky
 * regexps anchored at the key with bounded values, so the cost follows the number of secret-looking words.
 */
const secretWord =
  /passw|passphrase|pwd|secret|token|api[-_.]?key|access[-_.]?key|private[-_.]?key|signing[-_.]?key|encryption[-_.]?key|master[-_.]?key|session[-_.]?key|credential|key[-_.]?data|authorization|cookie|\bpass\b|\bauth\b|\bdsn\b/gi;
/** [A-Za-z0-9_.-], by char code: this runs for every character around every candidate key. */
function isKeyChar(code: number): boolean {
  return (
    (code >= 97 && code <= 122) ||
    (code >= 65 && code <= 90) ||
    (code >= 48 && code <= 57) ||
    code === 95 ||
    code === 46 ||
    code === 45
  );
}

/** A bare value may follow a YAML block indicator on the same line (a manifest flattened into one line). */
const VALUE = String.raw`(?:\\"((?:[^"\\]|\\(?!")){0,8192})\\"|"((?:[^"\\\n]|\\.){0,8192})"|'([^'\n]{0,8192})'|(?:[|>][-+0-9]?[ \t]+)?([^\s"',;&{}()\[\]<>\\]{1,8192}))`;
/** After a key: its closing quote, a separator, the value (escaped-JSON, quoted or bare). */
const afterKey = new RegExp(String.raw`(\\?["'])?[ \t]*(:=|=>|=|:(?!//))[ \t]*${VALUE}`, 'yd');
/** After a flag: `=` or blanks, the value. */
const afterFlag = new RegExp(String.raw`(?:=|[ \t]+)${VALUE}`, 'yd');
/** After an env entry's name: the next field is its `value`. */
const afterEnvName = new RegExp(
  // `|` too: a stderr tail arrives as its last lines joined by " | ".
  String.raw`\\?["']?\s*[,}\n|]\s*(?:-\s*)?\\?["']?value\\?["']?\s*[:=]\s*${VALUE}`,
  'yd',
);
const flagBefore = /(?:^|[^\w-])--?$/;
const envNameBefore = /\bname\\?["']?\s*[:=]\s*\\?["']?$/;
/** A bare `key: value` counts only where a key starts a line or a flow-mapping entry, not in prose. */
const entryStartBefore = /(?:^|\n|[{,])[ \t]*(?:-[ \t]+)?$/;

const formatRules: readonly RegExp[] = [
  // To its END line, else to the end of the (JSON) string it sits in, else of the text.
  /-----BEGIN ([A-Z0-9 ]{0,40})PRIVATE KEY( BLOCK)?-----(?:[^"\\]|\\[^"])*?(?:-----END \1PRIVATE KEY\2-----|(?=\\?")|$)/g,
  /\b(?:bearer|basic)\s+([A-Za-z0-9._~+/-]{8,}=*)/dgi,
  /\beyJ[\w-]{5,}\.[\w-]{5,}\.[\w-]{5,}/g,
  /\b[a-z][a-z0-9+.-]{1,20}:\/\/[^\s:/@]{0,256}:([^\s@/]{1,256})@/dgi,
  /\b(?:set-)?cookie\s*:\s*([^\n"\\]{1,8192})/dgi,
];

/** The value span of the first value group that took part, from `first` on. */
function valueSpan(m: RegExpExecArray, first: number): Span | undefined {
  const indices = m.indices ?? [];
  for (let g = first; g < indices.length; g++) {
    const span = indices[g];
    if (span) return span;
  }
  return undefined;
}

function anchored(regex: RegExp, text: string, at: number): RegExpExecArray | null {
  regex.lastIndex = at;
  return regex.exec(text);
}

/** In prose ("invalid token: expired") only a value that looks like key material is taken for a secret. */
function looksLikeKeyMaterial(value: string): boolean {
  return value.length >= 12 && /\d/.test(value) && /[a-zA-Z]/.test(value) && shannonEntropy(value) >= 3.3;
}

function keyValue(text: string, start: number, end: number, before: string): Span | undefined {
  const flag = flagBefore.test(before) ? anchored(afterFlag, text, end) : null;
  if (flag) return valueSpan(flag, 1);
  const env = envNameBefore.test(before) ? anchored(afterEnvName, text, end) : null;
  if (env) return valueSpan(env, 1);
  const m = anchored(afterKey, text, end);
  if (!m) return undefined;
  const quotedKey = m[1] !== undefined && /["']$/.test(before);
  const bare = m[6] !== undefined;
  const span = valueSpan(m, 3);
  if (m[2] === ':' && !quotedKey && bare && !entryStartBefore.test(before)) {
    return span && looksLikeKeyMaterial(text.slice(span[0], span[1])) ? span : undefined;
  }
  return span;
}

function keyedSpans(text: string, mask: string, spans: Span[]): void {
  let lastKey = -1;
  secretWord.lastIndex = 0;
  for (let hit = secretWord.exec(text); hit; hit = secretWord.exec(text)) {
    let start = hit.index;
    let end = hit.index + hit[0].length;
    while (start > 0 && hit.index - start < 120 && isKeyChar(text.charCodeAt(start - 1))) start--;
    while (end < text.length && end - hit.index < 120 && isKeyChar(text.charCodeAt(end))) end++;
    while (start < end && (text.charCodeAt(start) === 46 || text.charCodeAt(start) === 45)) start++;
    secretWord.lastIndex = end;
    if (start === lastKey || !isSecretKeyName(text.slice(start, end))) continue;
    lastKey = start;
    const span = keyValue(text, start, end, text.slice(Math.max(0, start - 40), start));
    if (span && !isHarmlessValue(text.slice(span[0], span[1]), mask)) spans.push(span);
  }
}

function blockScalars(text: string, spans: Span[]): void {
  // password: |  (the indented lines under a YAML block scalar are the value)
  // (also mid-line: "I found: password: |" in an agent's message)
  const header =
    /^([ \t]*)(?:[^\n]*?[ \t])?(?:-[ \t]+)?["']?([A-Za-z_][\w.-]{0,80})["']?[ \t]*:[ \t]*[|>][-+0-9]*[ \t]*$/gm;
  for (let m = header.exec(text); m; m = header.exec(text)) {
    if (!isSecretKeyName(m[2] ?? '')) continue;
    const indent = (m[1] ?? '').length;
    const start = m.index + m[0].length + 1;
    let end = start - 1;
    for (let next = start; next < text.length;) {
      const eol = text.indexOf('\n', next);
      const line = text.slice(next, eol === -1 ? text.length : eol);
      if (line.trim() !== '' && line.length - line.trimStart().length <= indent) break;
      end = eol === -1 ? text.length : eol;
      next = end + 1;
    }
    if (end > start) spans.push([start, end]);
  }
}

export function structuralSpans(text: string, mask: string): Span[] {
  const spans: Span[] = [];
  keyedSpans(text, mask, spans);
  for (const regex of formatRules) {
    regex.lastIndex = 0;
    for (let m = regex.exec(text); m; m = regex.exec(text)) {
      const span = m.indices?.[1] ?? [m.index, m.index + m[0].length];
      if (!isHarmlessValue(text.slice(span[0], span[1]), mask)) spans.push(span);
    }
  }
  blockScalars(text, spans);
  return spans;
}
