/**
 * A run's live progress as one thread reply, edited as the agent works: each tool call with its result mark,
 * denials and errors, newest last. Older steps are counted, not shown; the transcript has them all.
 */
import type { KnownBlock } from '@slack/types';
import type { ProgressEvent } from '../../../core/domain/progress.ts';
import type { TriageRun } from '../../../core/domain/run.ts';
import { codeText, escapeBounded, escapeText, truncateEscaped } from './escape.ts';
import { formatCost, formatDuration, formatTokens, type SlackMessage } from './message.ts';
import { cancelledByText } from './cancelled-by.ts';

interface Step {
  readonly callId?: string;
  icon: string;
  readonly text: string;
}

/** Keeps the section under Slack's 3,000-character limit whatever the agent says. */
const maxSectionChars = 2_800;
const purposeText: Readonly<Record<TriageRun['purpose'], string>> = {
  triage: 'Triage',
  second_opinion: 'Second opinion',
  follow_up: 'Follow-up',
  remediation: 'Remediation',
};

export function renderProgress(
  run: Pick<TriageRun, 'id' | 'agent' | 'purpose' | 'status' | 'failure' | 'cancellation'>,
  events: readonly ProgressEvent[],
  options: { readonly maxLines: number },
): SlackMessage {
  const steps: Step[] = [];
  const byCall = new Map<string, Step>();
  let model: string | undefined;
  let thought: string | undefined;
  let finished: Extract<ProgressEvent, { type: 'run.finished' }> | undefined;
  let startedAt: Date | undefined;
  let lastAt: Date | undefined;
  for (const event of [...events].sort((a, b) => a.seq - b.seq)) {
    lastAt = event.at;
    switch (event.type) {
      case 'run.started':
        model = event.model;
        startedAt = event.at;
        break;
      case 'tool.called': {
        const step: Step = {
          callId: event.callId,
          icon: ':hourglass_flowing_sand:',
          text: `${codeText(event.tool, 60)} ${escapeBounded(event.summary, 160)}`,
        };
        steps.push(step);
        byCall.set(event.callId, step);
        break;
      }
      case 'tool.result': {
        const step = byCall.get(event.callId);
        if (step) step.icon = event.ok ? ':white_check_mark:' : ':x:';
        break;
      }
      case 'tool.denied':
        steps.push({
          icon: ':no_entry:',
          text: `denied ${codeText(event.tool, 60)}: ${escapeBounded(event.reason, 160)}`,
        });
        break;
      case 'error':
        steps.push({ icon: ':warning:', text: escapeBounded(event.message, 200) });
        break;
      case 'assistant.message':
        thought = event.excerpt;
        break;
      case 'run.finished':
        finished = event;
        break;
    }
  }
  const header = `*${purposeText[run.purpose]}* by ${codeText(run.agent)}${model ? ` (${codeText(model)})` : ''}`;
  const hidden = Math.max(0, steps.length - options.maxLines);
  const lines = steps.slice(hidden).map((step) => `${step.icon} ${step.text}`);
  if (!finished && thought) lines.push(`:thought_balloon: _${escapeBounded(thought, 200)}_`);
  let body = lines.join('\n');
  let dropped = hidden;
  while (body.length > maxSectionChars && lines.length > 1) {
    lines.shift();
    dropped += 1;
    body = lines.join('\n');
  }
  if (dropped > 0) body = `_…${dropped} earlier step${dropped === 1 ? '' : 's'}_\n${body}`;
  if (body === '') body = '_starting…_';
  const blocks: KnownBlock[] = [
    { type: 'context', elements: [{ type: 'mrkdwn', text: header }] },
    { type: 'section', text: { type: 'mrkdwn', text: truncateEscaped(body, 2_950) } },
  ];
  const ended = run.status === 'succeeded' || run.status === 'failed' || run.status === 'cancelled';
  const cancelledBy = run.status === 'cancelled' ? run.cancellation?.by : undefined;
  const stepsText = `${steps.length} step${steps.length === 1 ? '' : 's'}`;
  const status = cancelledBy
    ? `:octagonal_sign: cancelled by ${cancelledByText(cancelledBy)} after ${stepsText}${usageText(finished?.usage)}`
    : finished
      ? `${finished.ok ? ':checkered_flag: finished' : ':x: failed'}${usageText(finished.usage)}`
      : ended
        ? `:x: stopped${run.failure ? ` (${escapeText(run.failure.reason)})` : ''} after ${steps.length} step${steps.length === 1 ? '' : 's'}`
        : `:robot_face: working · ${steps.length} step${steps.length === 1 ? '' : 's'}${startedAt && lastAt ? ` · ${formatDuration(lastAt.getTime() - startedAt.getTime())}` : ''}`;
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: status }] });
  return {
    text: `${purposeText[run.purpose]} by ${run.agent}: ${cancelledBy ? 'cancelled' : finished ? (finished.ok ? 'finished' : 'failed') : ended ? 'stopped' : `${steps.length} steps so far`}`,
    blocks,
  };
}

export function usageText(usage: Extract<ProgressEvent, { type: 'run.finished' }>['usage']): string {
  if (!usage) return '';
  const parts = [
    usage.durationMs !== undefined ? formatDuration(usage.durationMs) : undefined,
    usage.inputTokens !== undefined || usage.outputTokens !== undefined
      ? `${formatTokens(usage.inputTokens)} in / ${formatTokens(usage.outputTokens)} out tokens`
      : undefined,
    usage.turns !== undefined ? `${usage.turns} turns` : undefined,
    usage.costUsd !== undefined ? formatCost(usage.costUsd) : undefined,
  ].filter((part): part is string => part !== undefined);
  return parts.length > 0 ? ` · ${parts.join(' · ')}` : '';
}
