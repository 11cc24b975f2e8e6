/**
 * The triage report an agent writes (format defined by skills/kubernetes-triage): required sections, a triage
 * card with severity and confidence, and a machine-readable `watchkeeper-actions` block of proposed actions.
 */
import { severities, type Severity } from '../../core/domain/severity.ts';
import { RemediationActionSchema, type RemediationAction } from '../../core/domain/remediation.ts';
import { patchProblem } from '../../core/domain/policies/remediation-patch.ts';
import type { Confidence, TriageCard } from '../../core/domain/report.ts';
import { redact } from '../../core/domain/redact.ts';

export const requiredSections = [
  'Triage card',
  'Problem statement',
  'Findings',
  'Hypotheses',
  'Remediation plan',
  'Proof of work',
] as const;

export interface RejectedAction {
  readonly index: number;
  readonly problem: string;
  readonly action: unknown;
}

export interface ParsedReport {
  readonly card: TriageCard;
  /** Proposed actions from the closed, typed set; only these can ever be proposed for approval. */
  readonly actions: readonly RemediationAction[];
  /** Actions outside the set or malformed: kept with the reason, never executed. */
  readonly rejectedActions: readonly RejectedAction[];
}

export type ReportCheck =
  | { readonly ok: true; readonly report: ParsedReport }
  | { readonly ok: false; readonly problems: readonly string[] };

const confidences: readonly Confidence[] = ['high', 'medium', 'low'];

function section(markdown: string, title: string): string | undefined {
  const pattern = new RegExp(`^##\\s+${title}\\s*$([\\s\\S]*?)(?=^##\\s|$(?![\\s\\S]))`, 'im');
  return pattern.exec(markdown)?.[1]?.trim();
}

function field(card: string, name: string): string | undefined {
  return new RegExp(`^[-*]\\s*\\**${name}\\**\\s*:\\s*(.+)$`, 'im').exec(card)?.[1]?.trim();
}

/** Parses the redacted report: the card and actions come from the same text as what is stored and posted. */
export function parseReport(raw: string): ReportCheck {
  const markdown = redact(raw);
  const problems: string[] = [];
  for (const title of requiredSections) {
    if (section(markdown, title) === undefined) problems.push(`missing section "## ${title}"`);
  }
  const card = section(markdown, 'Triage card') ?? '';
  const status = field(card, 'Status');
  const severity = field(card, 'Severity')?.toLowerCase();
  const rootCause = field(card, 'Root cause');
  const confidence = field(card, 'Confidence')?.toLowerCase();
  if (!status) problems.push('the triage card has no "Status:" line');
  if (!rootCause) problems.push('the triage card has no "Root cause:" line');
  if (!severity || !(severities as readonly string[]).includes(severity)) {
    problems.push(`the triage card's severity must be one of ${severities.join(', ')}`);
  }
  if (!confidence || !(confidences as readonly string[]).includes(confidence)) {
    problems.push(`the triage card's confidence must be one of ${confidences.join(', ')}`);
  }
  const block = /```json\s+watchkeeper-actions\s*\n([\s\S]*?)```/.exec(markdown)?.[1];
  const actions: RemediationAction[] = [];
  const rejectedActions: RejectedAction[] = [];
  if (block === undefined) {
    problems.push(
      'the remediation plan has no ```json watchkeeper-actions block (write [] when there is nothing to do)',
    );
  } else {
    try {
      const parsed = JSON.parse(block) as unknown;
      if (
        !Array.isArray(parsed) ||
        !parsed.every((a) => typeof a === 'object' && a !== null && 'type' in a)
      ) {
        problems.push('the watchkeeper-actions block must be a JSON array of objects with a "type"');
      } else {
        parsed.forEach((candidate: unknown, index) => {
          const action = RemediationActionSchema.safeParse(candidate);
          const outside =
            action.success && action.data.type === 'patch' ? patchProblem(action.data) : undefined;
          if (outside) rejectedActions.push({ index, problem: outside, action: candidate });
          else if (action.success) actions.push(action.data);
          else
            rejectedActions.push({
              index,
              problem: describeIssue(action.error.issues[0]),
              action: candidate,
            });
        });
      }
    } catch (error) {
      problems.push(`the watchkeeper-actions block is not valid JSON: ${(error as Error).message}`);
    }
  }
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    report: {
      card: {
        status: status ?? '',
        severity: severity as Severity,
        rootCause: rootCause ?? '',
        confidence: confidence as Confidence,
      },
      actions,
      rejectedActions,
    },
  };
}

function describeIssue(
  issue: { readonly path: readonly PropertyKey[]; readonly message: string } | undefined,
): string {
  if (!issue) return 'invalid action';
  const at = issue.path.map(String).join('.');
  return at ? `${at}: ${issue.message}` : issue.message;
}
