/** What a finished run posts in the thread: its conclusion and report link, or why it failed and a Rerun. */
import type { KnownBlock } from '@slack/types';
import type { Comparison } from '../../../core/domain/policies/compare-conclusions.ts';
import type { TriageCard } from '../../../core/domain/report.ts';
import type { RunFailureReason, TriageRun } from '../../../core/domain/run.ts';
import { actionIds } from '../action-ids.ts';
import {
  codeText,
  escapeBounded,
  escapeText,
  safeMarkdown,
  truncate,
  truncateMarkdown,
  truncateEscaped,
} from './escape.ts';
import { usageText } from './progress-timeline.ts';
import type { SlackMessage } from './message.ts';

/** Slack counts block text across a message (~13k); the card excerpt stays far below it. */
const maxCardMarkdown = 3_000;

const failureText: Readonly<Record<RunFailureReason, string>> = {
  timeout: 'ran out of time: raise incidents.budgets wall time, or rerun',
  max_turns: 'hit its turn limit before writing a report: raise maxTurns in its profile, or rerun',
  auth: "was refused by its model provider: check the profile's API key (apiKeyEnv)",
  crashed: 'crashed: see the transcript, then rerun',
  invalid_report:
    'did not write a report in the required format: see the transcript; rerun or try another agent',
  cancelled: 'was cancelled',
  sandbox_error: 'could not be started: check the agent profile and the runner logs',
  lost: 'was lost when Watchkeeper restarted; it is queued again',
  budget_spent: "was not started: the incident's run budget is spent",
};

export interface SucceededRunView {
  readonly run: TriageRun;
  readonly card: TriageCard;
  /** The report's triage card section, as the agent wrote it (untrusted Markdown). */
  readonly cardMarkdown?: string;
  readonly reportUrl?: string;
}

export function renderSucceededRun(view: SucceededRunView): SlackMessage {
  const { run, card } = view;
  const heading =
    run.purpose === 'follow_up'
      ? `:speech_balloon: *Answer* to ${codeText(run.question ?? '', 300)}`
      : `:memo: *${run.purpose === 'second_opinion' ? 'Second opinion' : 'Triage report'}* by ${codeText(run.agent)}`;
  const blocks: KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: heading } },
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `*Root cause* (${escapeText(card.confidence)} confidence): ${escapeBounded(card.rootCause, 1_500)}`,
      },
    },
  ];
  if (view.cardMarkdown)
    blocks.push({
      type: 'markdown',
      text: truncateMarkdown(safeMarkdown(view.cardMarkdown), maxCardMarkdown),
    });
  const link = view.reportUrl ? `<${view.reportUrl}|Full report>` : 'Full report in the report store';
  blocks.push({
    type: 'context',
    elements: [{ type: 'mrkdwn', text: `${link}${usageText(usageOf(run))}` }],
  });
  return {
    text: escapeText(
      `${run.purpose === 'follow_up' ? 'Answer' : 'Root cause'}: ${truncate(card.rootCause, 300)}`,
    ),
    blocks,
  };
}

export function renderFailedRun(run: TriageRun, transcriptUrl?: string): SlackMessage {
  const reason = run.failure?.reason ?? 'crashed';
  const detail = run.failure?.detail ? `\n${codeText(run.failure.detail, 500)}` : '';
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `:x: *${run.purpose === 'follow_up' ? 'Follow-up' : 'Triage'} by ${codeText(run.agent)} failed*: it ${failureText[reason]}${detail}`,
      },
    },
  ];
  const context = `${transcriptUrl ? `<${transcriptUrl}|Transcript>` : 'No transcript'}${usageText(usageOf(run))}`;
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: context }] });
  if (reason !== 'lost')
    blocks.push({
      type: 'actions',
      block_id: `wk_failed_${run.id}`,
      elements: [
        {
          type: 'button',
          action_id: actionIds.rerun,
          text: { type: 'plain_text', text: 'Rerun' },
          value: run.incidentId,
        },
      ],
    });
  return { text: `Triage by ${run.agent} failed: ${failureText[reason]}`, blocks };
}

export function renderComparison(
  first: { readonly run: TriageRun; readonly card: TriageCard },
  second: { readonly run: TriageRun; readonly card: TriageCard },
  comparison: Comparison,
): SlackMessage {
  const verdict = comparison.agree
    ? `:handshake: *${codeText(second.run.agent)} agrees with ${codeText(first.run.agent)}* on the root cause`
    : `:warning: *${codeText(second.run.agent)} and ${codeText(first.run.agent)} differ* on the root cause`;
  const differs =
    comparison.differences.length > 0
      ? `\nThey differ on: ${comparison.differences.map(escapeText).join(', ')}`
      : '';
  const side = (label: string, card: TriageCard) =>
    `*${label}* (${escapeText(card.confidence)}): ${escapeBounded(card.rootCause, 1_200)}`;
  return {
    text: comparison.agree ? 'The second opinion agrees' : 'The second opinion differs',
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `${verdict}${differs}` } },
      {
        type: 'section',
        fields: [
          { type: 'mrkdwn', text: truncateEscaped(side(first.run.agent, first.card), 1_990) },
          { type: 'mrkdwn', text: truncateEscaped(side(second.run.agent, second.card), 1_990) },
        ],
      },
    ],
  };
}

function usageOf(run: TriageRun) {
  if (!run.usage) return undefined;
  const durationMs =
    run.usage.durationMs ??
    (run.startedAt && run.finishedAt ? run.finishedAt.getTime() - run.startedAt.getTime() : undefined);
  return { ...run.usage, ...(durationMs !== undefined && { durationMs }) };
}

/** The report's triage card section (from its heading to the next `## `), for the thread. */
export function triageCardSection(markdown: string): string | undefined {
  const match =
    /^##\s+(?:\d+\.\s*)?(?:Executive\s+)?Triage card[^\n]*\n([\s\S]*?)(?=^##\s|(?![\s\S]))/im.exec(markdown);
  const section = match?.[1]?.trim();
  return section === '' ? undefined : section;
}
