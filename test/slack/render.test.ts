/**
 * What people see in Slack, checked against Slack's limits and against hostile text: pod names, logs and agent
 * reports must not mention anyone, disguise a link, or break a message past Block Kit's limits.
 */
import { describe, expect, it } from 'vitest';
import { compareConclusions } from '../../core/domain/policies/compare-conclusions.ts';
import type { ProgressEvent } from '../../core/domain/progress.ts';
import type { CancelledBy, TriageRun } from '../../core/domain/run.ts';
import { parseTriageCommand } from '../../bot/slack/parse-triage-command.ts';
import { renderIncidentCard } from '../../bot/slack/render/incident-card.ts';
import { renderProgress } from '../../bot/slack/render/progress-timeline.ts';
import {
  renderFailedRun,
  renderSucceededRun,
  triageCardSection,
} from '../../bot/slack/render/run-outcome.ts';
import { routeChannel } from '../../bot/slack/route-channel.ts';
import { checkBlocks } from '../harness/slack/block-limits.ts';
import { makeIncident, makeRun } from '../fixtures/domain.ts';

const hostile = 'boom <!channel> <@U999> <https://evil.example|click> @here & *bold* `code`';
/** Anything Slack would turn into a mention, a broadcast or a disguised link. */
const dangerous = /<!(channel|here|everyone)>|<@U|<https?:\/\/evil|(^|[^\u200b])@(here|channel|everyone)\b/;

function allText(value: unknown): string {
  return JSON.stringify(value);
}

const run = makeRun(makeIncident(), { agent: 'claude', status: 'running' });
const events = (count: number): ProgressEvent[] => [
  { type: 'run.started', runId: run.id, seq: 1, at: new Date(), agent: 'claude', model: 'opus' },
  ...Array.from({ length: count }, (_, i): ProgressEvent[] => [
    {
      type: 'tool.called',
      runId: run.id,
      seq: 2 + i * 2,
      at: new Date(),
      callId: `c${i}`,
      tool: 'Bash',
      summary: `kubectl logs pod-${i} ${hostile}`.slice(0, 500),
    },
    { type: 'tool.result', runId: run.id, seq: 3 + i * 2, at: new Date(), callId: `c${i}`, ok: i % 3 !== 0 },
  ]).flat(),
];

describe('escaping', () => {
  it('a card whose title and resource carry mentions and links renders them inert', () => {
    const incident = makeIncident({ title: hostile });
    const card = renderIncidentCard({ incident, agents: ['claude', 'codex'], now: new Date() });
    expect(allText(card)).not.toMatch(dangerous);
    expect(allText(card)).toContain('&lt;!channel&gt;');
    expect(checkBlocks(card.blocks)).toBeUndefined();
  });

  it('progress from a chatty agent with hostile tool summaries stays inside one section and shows no mention', () => {
    const message = renderProgress(run, events(400), { maxLines: 15 });
    expect(allText(message)).not.toMatch(dangerous);
    expect(checkBlocks(message.blocks)).toBeUndefined();
    expect(allText(message)).toMatch(/…385 earlier steps/);
    expect(allText(message)).toContain(':x:');
  });

  it("an agent's report card with links and HTML shows the link target, never a disguised link", () => {
    const markdown = `## Triage card\n- Root cause: see [the fix](https://evil.example/x) <!channel> <b>x</b> @everyone\n\n## Findings\nlater`;
    const section = triageCardSection(markdown);
    expect(section).toMatch(/Root cause/);
    expect(section).not.toMatch(/Findings/);
    const message = renderSucceededRun({
      run: { ...run, status: 'succeeded' },
      card: { status: 'investigated', severity: 'high', rootCause: hostile, confidence: 'high' },
      cardMarkdown: section ?? '',
      reportUrl: 'https://reports.example/r.html',
    });
    const text = allText(message);
    expect(text).not.toMatch(dangerous);
    expect(text).toContain('the fix (`https://evil.example/x`)');
    expect(text).toContain('<https://reports.example/r.html|Full report>');
  });

  it('a failed run says why, what to do, and offers Rerun', () => {
    const message = renderFailedRun({
      ...run,
      status: 'failed',
      failure: { reason: 'max_turns', detail: hostile },
    });
    expect(allText(message)).not.toMatch(dangerous);
    expect(message.text).toMatch(/turn limit.*raise maxTurns/);
    expect(allText(message.blocks)).toContain('wk_rerun');
  });

  it('a huge report excerpt is cut below Slack limits', () => {
    const message = renderSucceededRun({
      run: { ...run, status: 'succeeded' },
      card: { status: 'x', severity: 'high', rootCause: 'r'.repeat(10_000), confidence: 'low' },
      cardMarkdown: 'm'.repeat(50_000),
    });
    expect(checkBlocks(message.blocks)).toBeUndefined();
    expect(allText(message).length).toBeLessThan(12_000);
  });
});

describe('/triage arguments', () => {
  it.each([
    ['pod/shop/api-7d4f9', { type: 'triage', kind: 'Pod', namespace: 'shop', name: 'api-7d4f9' }],
    [
      'deploy/shop/api agent=codex cluster=prod',
      { kind: 'Deployment', apiVersion: 'apps/v1', agent: 'codex', cluster: 'prod' },
    ],
    ['node/worker-1', { kind: 'Node', name: 'worker-1' }],
    ['', { type: 'help' }],
    ['list', { type: 'list' }],
    ['status 0193abc', { type: 'status', incidentId: '0193abc' }],
  ])('%s', (text, expected) => {
    expect(parseTriageCommand(text)).toMatchObject(expected);
  });

  it.each([
    ['pod/api', /lives in a namespace/],
    ['pod/Shop/api', /not a valid namespace name/],
    ['widget/shop/api', /unknown kind/],
    ['pod/shop/api severity=urgent', /severity must be one of/],
    ['pod/shop/api colour=red', /unknown option/],
    ['pod/shop/<!channel>', /not a valid Kubernetes object name/],
    ['status', /give one incident id/],
  ])('%s is refused with a reason', (text, problem) => {
    const parsed = parseTriageCommand(text);
    expect(parsed.type).toBe('invalid');
    if (parsed.type === 'invalid') {
      expect(parsed.problem).toMatch(problem);
      expect(parsed.problem).not.toMatch(dangerous);
    }
  });
});

describe('routing', () => {
  const slack = {
    defaultChannel: 'C0DEFAULT',
    routes: [
      {
        channel: 'C0PAYMENTS',
        namespaces: ['payments-*'],
        severities: ['critical' as const, 'high' as const],
      },
      { channel: 'C0NODES', classes: ['NodeNotReady' as const] },
      { channel: 'C0STAGING', clusters: ['staging'] },
    ],
  };
  const incident = (namespace: string, severity: 'critical' | 'warning', cluster = 'prod') =>
    makeIncident({
      cluster,
      severity,
      primaryResource: { apiVersion: 'v1', kind: 'Pod', namespace, name: 'p' },
    });

  it('the first matching route wins, else the default channel', () => {
    expect(routeChannel(incident('payments-eu', 'critical'), 'CrashLoopBackOff', slack)).toBe('C0PAYMENTS');
    expect(routeChannel(incident('payments-eu', 'warning'), 'CrashLoopBackOff', slack)).toBe('C0DEFAULT');
    expect(routeChannel(incident('kube-system', 'warning'), 'NodeNotReady', slack)).toBe('C0NODES');
    expect(routeChannel(incident('shop', 'warning', 'staging'), 'OOMKilled', slack)).toBe('C0STAGING');
  });
});

describe('second opinions', () => {
  const card = (rootCause: string, confidence: 'high' | 'medium' = 'high') => ({
    status: 'investigated',
    severity: 'high' as const,
    rootCause,
    confidence,
  });

  it('the same cause in other words agrees; a different cause differs, and says on what', () => {
    const first = card('The container exits at start because DATABASE_URL is not set');
    expect(
      compareConclusions(first, card('DATABASE_URL is not set, so the container exits at start')).agree,
    ).toBe(true);
    const other = compareConclusions(
      first,
      card('The node ran out of memory and OOM-killed the pod', 'medium'),
    );
    expect(other.agree).toBe(false);
    expect(other.differences).toEqual(['root cause', 'confidence (high vs medium)']);
  });
});

describe('cancelled runs', () => {
  const incident = makeIncident({ state: { status: 'resolved', reason: 'resolved in Slack by U0ALICE' } });
  const at = new Date();
  const cancelledRun = (by: CancelledBy, status: TriageRun['status'] = 'cancelled') =>
    makeRun(incident, { agent: 'claude', status, cancellation: { by, at } });
  const cardText = (latest: TriageRun) =>
    allText(renderIncidentCard({ incident, run: latest, agents: ['claude'], now: at }));

  it('the card says who cancelled the run: a person as a mention, other causes in words', () => {
    expect(cardText(cancelledRun({ kind: 'user', userId: 'U0ALICE' }))).toContain(
      'Triage by `claude` cancelled by <@U0ALICE>',
    );
    const superseding = makeRun(incident).id;
    expect(cardText(cancelledRun({ kind: 'superseded', runId: superseding }))).toContain(
      `cancelled by a newer run, \`${superseding}\``,
    );
    expect(cardText(cancelledRun({ kind: 'lease_lost' }))).toContain('cancelled by lease lost');
    expect(cardText(cancelledRun({ kind: 'shutdown' }))).toContain('cancelled by shutdown');
    expect(cardText(cancelledRun({ kind: 'resolved', detail: 'every fault cleared' }))).toContain(
      'cancelled by the incident resolving (every fault cleared)',
    );
    expect(cardText(cancelledRun({ kind: 'user', userId: 'U0ALICE' }, 'running'))).toContain(
      'Stopping the triage by `claude`: cancelled by <@U0ALICE>',
    );
    // A run that finished before the stop took effect keeps its own outcome.
    expect(cardText(cancelledRun({ kind: 'user', userId: 'U0ALICE' }, 'succeeded'))).not.toContain(
      'cancelled by',
    );
  });

  it('a forged user id or resolve reason cannot mention anyone or break the card', () => {
    for (const by of [
      { kind: 'user', userId: 'U1> <!channel> <@U999' },
      { kind: 'resolved', detail: hostile },
    ] as const) {
      const card = renderIncidentCard({ incident, run: cancelledRun(by), agents: [], now: at });
      expect(allText(card)).not.toMatch(dangerous);
      expect(checkBlocks(card.blocks)).toBeUndefined();
    }
  });

  it('the progress reply of a cancelled run says so and by whom, not that it failed', () => {
    const message = renderProgress(cancelledRun({ kind: 'user', userId: 'U0BOB' }), events(3), {
      maxLines: 15,
    });
    const text = allText(message);
    expect(text).toContain(':octagonal_sign: cancelled by <@U0BOB> after');
    expect(message.text).toBe('Triage by claude: cancelled');
  });
});
