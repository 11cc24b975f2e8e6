import { shannonEntropy } from './entropy.ts';
import type { Line } from './lines.ts';
import type { Span } from './ranges.ts';
import type { AllowData, RuleData } from './rule-data.ts';

interface Allow {
  readonly target: AllowData['target'];
  readonly regexes: readonly RegExp[];
  readonly stopwords: readonly string[];
}

/** A rule ready to run: its regexp compiled once (`d` gives the secret group's own position). */
export interface CompiledRule {
  readonly id: string;
  readonly regex: RegExp;
  readonly keywords: readonly string[];
  readonly entropy: number;
  readonly secretGroup: number;
  readonly allow: readonly Allow[];
}

const compileAllow = (a: AllowData): Allow => ({
  target: a.target,
  regexes: a.regexes.map((r) => new RegExp(r.source, r.flags)),
  stopwords: a.stopwords,
});

export function compileRules(rules: readonly RuleData[], global?: AllowData): CompiledRule[] {
  const shared = global ? [compileAllow(global)] : [];
  return rules.map((r) => ({
    id: r.id,
    regex: new RegExp(r.source, `${r.flags}gd`),
    keywords: r.keywords,
    entropy: r.entropy,
    secretGroup: r.secretGroup,
    allow: [...shared, ...r.allow.map(compileAllow)],
  }));
}

/** Rules lost their leading `[\w.-]{0,50}?` (see withoutLazyPrefix): a "match" target gets it back. */
const matchLead = 100;

function allowed(rule: CompiledRule, secret: string, m: RegExpExecArray, line: string): boolean {
  const lower = secret.toLowerCase();
  return rule.allow.some((a) => {
    const target =
      a.target === 'secret'
        ? secret
        : a.target === 'match'
          ? line.slice(Math.max(0, m.index - matchLead), m.index + m[0].length)
          : line;
    return a.regexes.some((r) => r.test(target)) || a.stopwords.some((w) => lower.includes(w));
  });
}

/** The secret of a match: the rule's group, else the first non-empty group, else the whole match. */
function secretSpan(rule: CompiledRule, m: RegExpExecArray): Span | undefined {
  const indices = m.indices;
  if (!indices) return undefined;
  if (rule.secretGroup > 0) return indices[rule.secretGroup];
  for (let g = 1; g < indices.length; g++) {
    const span = indices[g];
    if (span && span[1] > span[0]) return span;
  }
  return indices[0];
}

function scanLine(rule: CompiledRule, line: Line, spans: Span[]): void {
  const { regex } = rule;
  regex.lastIndex = 0;
  for (let m = regex.exec(line.text); m; m = regex.exec(line.text)) {
    if (m[0] === '') regex.lastIndex++;
    const span = secretSpan(rule, m);
    if (!span) continue;
    const secret = line.text.slice(span[0], span[1]);
    if (secret.length === 0 || shannonEntropy(secret) < rule.entropy) continue;
    if (allowed(rule, secret, m, line.text)) continue;
    spans.push([line.at + span[0], line.at + span[1]]);
  }
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Finds which rule keywords occur in a text in one pass (one alternation, longest first, restarted after each
 * hit's first character so overlapping keywords are seen). A keyword inside a longer one can hide behind it at
 * the same position, so those few are also looked up directly.
 */
export interface KeywordIndex {
  readonly find: (lowerText: string) => Set<string>;
}

export function indexKeywords(rules: readonly CompiledRule[]): KeywordIndex {
  const keywords = [...new Set(rules.flatMap((r) => r.keywords))].sort((a, b) => b.length - a.length);
  const any = new RegExp(keywords.map(escape).join('|'), 'g');
  const shadowed = keywords.filter((k) => keywords.some((other) => other !== k && other.includes(k)));
  return {
    find(lowerText) {
      const found = new Set<string>();
      any.lastIndex = 0;
      for (let m = any.exec(lowerText); m; m = any.exec(lowerText)) {
        found.add(m[0]);
        any.lastIndex = m.index + 1;
      }
      for (const k of shadowed) if (!found.has(k) && lowerText.includes(k)) found.add(k);
      return found;
    },
  };
}

/** Spans of every secret the rules find; a rule runs only on lines holding one of its keywords. */
export function scanRules(
  rules: readonly CompiledRule[],
  present: ReadonlySet<string>,
  lines: readonly Line[],
): Span[] {
  const spans: Span[] = [];
  for (const rule of rules) {
    const { keywords } = rule;
    if (keywords.length > 0 && !keywords.some((k) => present.has(k))) continue;
    for (const line of lines) {
      if (keywords.length === 0 || keywords.some((k) => line.lower.includes(k))) scanLine(rule, line, spans);
    }
  }
  return spans;
}
