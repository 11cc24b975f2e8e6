/**
 * The one redactor: every string that leaves a run, a fault, a webhook or an error goes through `redact` before
 * it is stored, posted, published or logged. It errs on the side of hiding: a false positive costs a few
 * characters of a log line, a miss leaks a credential into Slack and the database.
 *
 * Two sources of findings, merged and masked once:
 * - the gitleaks rule data (core/domain/redaction/gitleaks-rules.ts, vendored and refreshed by
 *   `npm run redaction:refresh-rules`): 200+ provider token shapes, kept current by the gitleaks project.
 *   Chosen over secretlint's rule packages because those are file linters with an asynchronous API (and a GCP
 *   rule that imports node:path and verifies PKCS#12 with WebCrypto), while redaction must be synchronous
 *   (pino's log formatter) and pure; gitleaks' data is plain regexps + keywords + entropy, which we run
 *   per line (long lines in bounded windows: the patterns were written for linear-time RE2) after a keyword
 *   pre-filter, so most rules never run.
 * - structural rules (core/domain/redaction/structural-rules.ts): values of secret-looking keys in JSON, YAML,
 *   env files, headers and command flags, env entries named like secrets, private key blocks, bearer/basic
 *   credentials, JWTs and passwords in URLs.
 */
import { gitleaksGlobalAllow, gitleaksRules } from './redaction/gitleaks-rules.ts';
import { splitLines } from './redaction/lines.ts';
import { maskSpans } from './redaction/ranges.ts';
import { compileRules, indexKeywords, scanRules } from './redaction/rule-scan.ts';
import { isSecretKeyName } from './redaction/secret-key-name.ts';
import { structuralSpans } from './redaction/structural-rules.ts';

export { isSecretKeyName };

export const redactionMask = '[REDACTED]';

const rules = compileRules(gitleaksRules, gitleaksGlobalAllow);
const keywords = indexKeywords(rules);

/** A JSON string literal holding an escape: JSON (or JSON in JSON) inside a log line or a transcript. */
const escapedLiteral = /"(?:[^"\\\n]|\\.){0,65536}?\\.(?:[^"\\\n]|\\.){0,65536}"/g;

function redactLevel(text: string, depth: number): string {
  if (text.length < 8) return text;
  // What escapes hide (a YAML manifest with its newlines, JSON in JSON, a token followed by \n) is read
  // decoded first, literal by literal; the text around it after.
  const inner =
    depth < 3 && text.includes('\\') ? text.replace(escapedLiteral, (l) => decodedLiteral(l, depth)) : text;
  const spans = structuralSpans(inner, redactionMask);
  spans.push(...scanRules(rules, keywords.find(inner.toLowerCase()), splitLines(inner)));
  return maskSpans(inner, spans, redactionMask);
}

function decodedLiteral(literal: string, depth: number): string {
  let decoded: unknown;
  try {
    decoded = JSON.parse(literal);
  } catch {
    return literal;
  }
  if (typeof decoded !== 'string') return literal;
  const clean = redactLevel(decoded, depth + 1);
  return clean === decoded ? literal : JSON.stringify(clean);
}

export function redact(text: string): string {
  return redactLevel(text, 0);
}

/** Redacts and cuts to `max` characters (marking the cut), for bounded context. */
export function redactBounded(text: string, max: number): string {
  const clean = redact(text);
  return clean.length <= max ? clean : `${clean.slice(0, Math.max(0, max - 14))}… (truncated)`;
}

/** A named value (a label, an annotation, a header): hidden whole under a secret-looking name, else redacted. */
export function redactNamed(name: string, value: string): string {
  return isSecretKeyName(name) && value.trim() !== '' ? redactionMask : redact(value);
}

/**
 * A URL (an alert's generatorURL, a link): each query parameter decoded and redacted (hidden whole under a
 * secret-looking name), then the whole URL redacted; not a URL at all, it is redacted as text.
 */
export function redactUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return redact(text);
  }
  for (const [name, value] of [...url.searchParams]) url.searchParams.set(name, redactNamed(name, value));
  return redact(url.toString());
}

/** `redact` applied to every string in a JSON value (keys included), for payloads stored or published whole. */
export function redactJson<T>(value: T): T {
  return JSON.parse(
    JSON.stringify(value, (_key, v: unknown) => (typeof v === 'string' ? redact(v) : v)),
  ) as T;
}

/** Text that can be stored anywhere: well-formed UTF-16 (no lone surrogates) and no NUL characters. */
export function wellFormed(text: string): string {
  return text.toWellFormed().replaceAll('\u0000', '\uFFFD');
}

/** `wellFormed` applied to every string in a JSON value. */
export function wellFormedJson(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value, (_key, v: unknown) => (typeof v === 'string' ? wellFormed(v) : v)),
  ) as unknown;
}
