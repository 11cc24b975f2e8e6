/**
 * Redaction of secrets in untrusted text (container logs, event messages, agent output) before it is stored,
 * posted or logged. Pattern-based, so it errs on the side of hiding: a false positive costs a few characters.
 */
const mask = '[REDACTED]';

const rules: readonly (readonly [RegExp, string])[] = [
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g, mask],
  [/\b(authorization\s*[:=]\s*(?:bearer|basic)\s+)[^\s"',;]+/gi, `$1${mask}`],
  [/\b(bearer\s+)[A-Za-z0-9._~+/-]{8,}=*/gi, `$1${mask}`],
  [/\beyJ[\w-]{5,}\.[\w-]{5,}\.[\w-]{5,}/g, mask],
  [/\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g, mask],
  [/\b((?:client-key-data|client-certificate-data)\s*:\s*)\S+/gi, `$1${mask}`],
  [/\b(aws_secret_access_key\s*[=:]\s*)\S+/gi, `$1${mask}`],
  [/\bxox[abposr]-[\w-]{10,}/g, mask],
  [/\b(?:ghp|gho|ghs|ghu|github_pat)_[A-Za-z0-9_]{20,}/g, mask],
  [/\bsk-(?:ant-|proj-)?[A-Za-z0-9_-]{16,}/g, mask],
  [/(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)[^\s@/]+@/gi, `$1${mask}@`],
  [
    /\b((?:[a-z0-9_]*[_-])?(?:password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credentials?)\b["']?\s*[:=]\s*["']?)[^\s"',;}]+/gi,
    `$1${mask}`,
  ],
];

export function redact(text: string): string {
  let out = text;
  for (const [pattern, replacement] of rules) out = out.replace(pattern, replacement);
  return out;
}

/** Redacts and cuts to `max` characters (marking the cut), for bounded context. */
export function redactBounded(text: string, max: number): string {
  const clean = redact(text);
  return clean.length <= max ? clean : `${clean.slice(0, Math.max(0, max - 14))}… (truncated)`;
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
