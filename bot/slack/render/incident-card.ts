/** The incident's parent message: a status card edited in place on every change, with the incident's buttons. */
import type { KnownBlock } from '@slack/types';
import { formatResource } from '../../../core/domain/resource.ts';
import type { Incident } from '../../../core/domain/incident.ts';
import type { IncidentState } from '../../../core/domain/incident-state.ts';
import type { TriageCard } from '../../../core/domain/report.ts';
import type { TriageRun } from '../../../core/domain/run.ts';
import { actionIds, muteDurations } from '../action-ids.ts';
import { cancelledRunNote } from './cancelled-by.ts';
import { codeText, escapeBounded, escapeText, truncate, oneLine } from './escape.ts';
import { formatCost, formatDuration, severityIcon, type SlackMessage } from './message.ts';

export interface CardView {
  readonly incident: Incident;
  /** The primary fault's class, e.g. CrashLoopBackOff. */
  readonly faultClass?: string;
  /** The incident's latest run. */
  readonly run?: TriageRun;
  /** Total cost of every run of the incident so far. */
  readonly costUsd?: number;
  /** The conclusion of the latest successful run, and where its report is. */
  readonly conclusion?: { readonly card: TriageCard; readonly reportUrl?: string };
  /** Why a queued triage has not started (a cap, the storm guard). */
  readonly waiting?: string;
  /** Agent profiles a second opinion can use. */
  readonly agents: readonly string[];
  /** Whether remediation can be proposed here (cluster access and remediation on). */
  readonly remediation?: boolean;
  /** Local agent runs are not contained (`agents.localSandbox: none`): every card says so. */
  readonly unsandboxed?: boolean;
  readonly now: Date;
}

const stateText: Readonly<Record<IncidentState['status'], string>> = {
  detected: ':mag: detected',
  triage_queued: ':hourglass_flowing_sand: triage queued',
  triaging: ':robot_face: triaging',
  reported: ':white_check_mark: reported',
  triage_failed: ':x: triage failed',
  remediation_proposed: ':wrench: remediation proposed',
  remediation_approved: ':wrench: remediation approved',
  remediation_denied: ':no_entry_sign: remediation denied',
  remediating: ':wrench: remediating',
  remediated: ':white_check_mark: remediated',
  remediation_failed: ':x: remediation failed',
  resolved: ':large_green_circle: resolved',
  closed: ':white_circle: closed',
};

export function renderIncidentCard(view: CardView): SlackMessage {
  const { incident, run } = view;
  const icon = severityIcon[incident.severity] ?? ':white_circle:';
  const resource = formatResource(incident.primaryResource);
  const title = escapeBounded(oneLine(incident.title), 200);
  const ended = incident.resolvedAt ?? incident.closedAt;
  const elapsed = (ended ?? view.now).getTime() - incident.createdAt.getTime();
  const fields = [
    `*State*\n${stateText[incident.state.status]}`,
    `*Severity*\n${escapeText(incident.severity)}`,
    `*Cluster*\n${codeText(incident.cluster, 100)}`,
    `*Resource*\n${codeText(resource, 200)}`,
    `*Agent*\n${run ? codeText(run.agent) : '—'}`,
    `*Elapsed*\n${elapsed < 60_000 ? '<1m' : formatDuration(Math.floor(elapsed / 60_000) * 60_000).replace(/ 00s$/, '')}`,
    `*Cost*\n${formatCost(view.costUsd)}`,
    `*Faults*\n${incident.faultCount}${view.faultClass ? ` · ${codeText(view.faultClass)}` : ''}`,
  ];
  const blocks: KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: `${icon} *${title}*` } },
    { type: 'section', fields: fields.map((text) => ({ type: 'mrkdwn', text })) },
  ];
  const conclusion = view.conclusion;
  if (conclusion) {
    const link = conclusion.reportUrl ? ` · <${conclusion.reportUrl}|full report>` : '';
    blocks.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `*Root cause* (${escapeText(conclusion.card.confidence)} confidence): ${escapeBounded(conclusion.card.rootCause, 600)}${link}`,
      },
    });
  }
  const note = statusNote(incident.state, view.waiting);
  if (note) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: note }] });
  const cancelled = cancelledRunNote(run);
  if (cancelled) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: cancelled }] });
  if (incident.state.status !== 'closed') blocks.push(actions(view));
  const unsandboxed = view.unsandboxed
    ? ' · :warning: local agent runs are not sandboxed (`agents.localSandbox: none`)'
    : '';
  blocks.push({
    type: 'context',
    elements: [{ type: 'mrkdwn', text: `Watchkeeper incident \`${incident.id}\`${unsandboxed}` }],
  });
  const rootCause = conclusion ? ` — ${truncate(conclusion.card.rootCause, 150)}` : '';
  return {
    text: escapeText(
      `[${incident.severity}] ${truncate(incident.title, 150)} (${incident.state.status})${rootCause}`,
    ),
    blocks,
  };
}

function statusNote(state: IncidentState, waiting: string | undefined): string | undefined {
  if (state.status === 'triage_failed') return `:warning: ${escapeBounded(state.reason, 300)}`;
  if (state.status === 'resolved') return `Resolved: ${escapeBounded(state.reason, 300)}`;
  if (state.status === 'triage_queued' && waiting) return `:hourglass: ${escapeBounded(waiting, 300)}`;
  return undefined;
}

function actions(view: CardView): KnownBlock {
  const value = view.incident.id;
  const busy = view.incident.state.status === 'triaging' || view.incident.state.status === 'triage_queued';
  const elements: Extract<KnownBlock, { type: 'actions' }>['elements'] = [];
  if (!busy)
    elements.push({
      type: 'button',
      action_id: actionIds.rerun,
      text: { type: 'plain_text', text: 'Rerun' },
      value,
    });
  const others = view.agents.filter((agent) => agent !== view.run?.agent).slice(0, 100);
  if (!busy && others.length > 0)
    elements.push({
      type: 'static_select',
      action_id: actionIds.secondOpinion,
      placeholder: { type: 'plain_text', text: 'Second opinion…' },
      options: others.map((agent) => ({
        text: { type: 'plain_text', text: truncate(agent, 75) },
        value: `${value}|${agent}`,
      })),
    });
  const proposable = ['reported', 'remediation_denied', 'remediation_failed'].includes(
    view.incident.state.status,
  );
  if (proposable && view.remediation)
    elements.push({
      type: 'button',
      action_id: actionIds.proposeRemediation,
      text: { type: 'plain_text', text: 'Propose remediation' },
      value,
    });
  elements.push({
    type: 'button',
    action_id: actionIds.askFollowUp,
    text: { type: 'plain_text', text: 'Ask follow-up' },
    value,
  });
  if (view.incident.state.status !== 'resolved')
    elements.push({
      type: 'button',
      action_id: actionIds.resolve,
      text: { type: 'plain_text', text: 'Resolve' },
      style: 'primary',
      value,
      confirm: {
        title: { type: 'plain_text', text: 'Resolve the incident?' },
        text: { type: 'mrkdwn', text: 'Any running triage is stopped.' },
        confirm: { type: 'plain_text', text: 'Resolve' },
        deny: { type: 'plain_text', text: 'Cancel' },
      },
    });
  elements.push({
    type: 'static_select',
    action_id: actionIds.mute,
    placeholder: { type: 'plain_text', text: 'Mute…' },
    options: Object.entries(muteDurations).map(([key, duration]) => ({
      text: { type: 'plain_text', text: `Mute ${duration.label}` },
      value: `${value}|${key}`,
    })),
  });
  return { type: 'actions', block_id: `wk_card_${view.incident.version}`, elements };
}
