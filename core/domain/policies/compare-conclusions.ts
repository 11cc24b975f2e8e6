/**
 * Second opinions: two triage cards agree when they name the same root cause. Agents word the same cause
 * differently, so causes are compared by their significant words (resource names, reasons, numbers), not verbatim.
 */
import type { TriageCard } from '../report.ts';

export interface Comparison {
  readonly agree: boolean;
  /** Share of significant words the two root causes have in common (0..1). */
  readonly overlap: number;
  /** What differs, one short phrase each (empty when they agree on everything). */
  readonly differences: readonly string[];
}

const agreeAt = 0.5;
const stopWords = new Set(
  'a an and are as at be because but by for from has have in into is it its of on or that the their this to was were which with'.split(
    ' ',
  ),
);

export function compareConclusions(first: TriageCard, second: TriageCard): Comparison {
  const overlap = wordOverlap(first.rootCause, second.rootCause);
  const agree = overlap >= agreeAt;
  const differences: string[] = [];
  if (!agree) differences.push('root cause');
  if (first.severity !== second.severity)
    differences.push(`severity (${first.severity} vs ${second.severity})`);
  if (first.confidence !== second.confidence)
    differences.push(`confidence (${first.confidence} vs ${second.confidence})`);
  if (first.status !== second.status) differences.push(`status (${first.status} vs ${second.status})`);
  return { agree, overlap: Math.round(overlap * 100) / 100, differences };
}

/** Overlap coefficient of the two word sets: robust when one agent says more than the other. */
function wordOverlap(a: string, b: string): number {
  const left = significantWords(a);
  const right = significantWords(b);
  if (left.size === 0 || right.size === 0) return 0;
  let shared = 0;
  for (const word of left) if (right.has(word)) shared += 1;
  return shared / Math.min(left.size, right.size);
}

function significantWords(text: string): Set<string> {
  return new Set(
    text
      .toLowerCase()
      .split(/[^a-z0-9_./-]+/)
      .map((word) => word.replace(/^[./-]+|[./-]+$/g, ''))
      .filter((word) => word.length > 1 && !stopWords.has(word)),
  );
}
