/**
 * A remediation request in the thread: each action with its target, rationale, risk and the server-side dry
 * run of what it would change; Approve / Deny while it is open; then who decided, and the execution and
 * verification result. Edited in place as the request moves on.
 */
import type { KnownBlock } from '@slack/types';
import { formatResource } from '../../../core/domain/resource.ts';
import type { RemediationRequest } from '../../../core/domain/remediation.ts';
import { actionIds } from '../action-ids.ts';
import { codeText, escapeBounded, escapeText, truncateEscaped } from './escape.ts';
import type { SlackMessage } from './message.ts';

const statusText: Readonly<Record<RemediationRequest['status'], string>> = {
  proposed: ':hourglass_flowing_sand: waiting for approval',
  approved: ':white_check_mark: approved, executing soon',
  denied: ':no_entry_sign: denied',
  expired: ':alarm_clock: expired',
  executing: ':gear: executing',
  succeeded: ':white_check_mark: executed and verified',
  failed: ':x: failed',
};

export function renderRemediation(request: RemediationRequest, now: Date): SlackMessage {
  const open = request.status === 'proposed' && now.getTime() < request.expiresAt.getTime();
  const status = request.status === 'proposed' && !open ? statusText.expired : statusText[request.status];
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `:wrench: *Proposed remediation* · ${status}${request.requiredApprovals > 1 ? ` · needs ${request.requiredApprovals} approvers` : ''}`,
      },
    },
  ];
  request.actions.slice(0, 10).forEach((action, i) => {
    const diff = escapeBounded((request.dryRun[i] ?? '').replaceAll('```', "'''"), 1_500);
    blocks.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: truncateEscaped(
          `*${i + 1}. ${escapeText(action.type)}* ${codeText(formatResource(action.target))}\n` +
            `_Why:_ ${escapeBounded(action.rationale, 300)}\n_Risk:_ ${escapeBounded(action.risk, 300)}\n` +
            `Dry run (what would change):\n\`\`\`${diff}\`\`\``,
          2_900,
        ),
      },
    });
  });
  const decided = request.approvals.map(
    (a) =>
      `${a.decision === 'approve' ? 'approved' : 'denied'} by ${a.actor.type === 'slack-user' ? `<@${a.actor.userId}>` : 'system'}`,
  );
  const result = request.verification
    ? `${request.verification.ok ? 'Verified' : 'Not verified'}: ${escapeBounded(request.verification.detail, 500)}`
    : request.execution?.error
      ? `Execution failed: ${escapeBounded(request.execution.error, 500)}`
      : undefined;
  const context = [
    ...decided,
    open
      ? `expires <!date^${Math.floor(request.expiresAt.getTime() / 1000)}^{time}|${request.expiresAt.toISOString()}>`
      : undefined,
    `request \`${request.id}\``,
  ].filter((part): part is string => part !== undefined);
  if (result) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: result } });
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: context.join(' · ') }] });
  if (open)
    blocks.push({
      type: 'actions',
      block_id: `wk_remediation_${request.id}_${request.version}`,
      elements: [
        {
          type: 'button',
          action_id: actionIds.approveRemediation,
          style: 'primary',
          text: { type: 'plain_text', text: 'Approve' },
          value: request.id,
          confirm: {
            title: { type: 'plain_text', text: 'Run this remediation?' },
            text: {
              type: 'mrkdwn',
              text: 'It runs with a token allowed exactly these actions, then is verified.',
            },
            confirm: { type: 'plain_text', text: 'Approve' },
            deny: { type: 'plain_text', text: 'Cancel' },
          },
        },
        {
          type: 'button',
          action_id: actionIds.denyRemediation,
          style: 'danger',
          text: { type: 'plain_text', text: 'Deny' },
          value: request.id,
        },
      ],
    });
  return { text: `Proposed remediation: ${status.replace(/^:[a-z_]+: /, '')}`, blocks };
}
