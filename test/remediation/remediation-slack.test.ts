/**
 * Remediation driven from Slack: a triage of a Deployment reports a rollout restart; Watchkeeper proposes it in
 * the thread with the server-side dry-run diff; an outsider's Approve is refused privately; an approver's Approve
 * runs it with a scoped token on the harness cluster; the rollout is verified and the card ends `remediated`.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actionIds } from '../../bot/slack/action-ids.ts';
import { asIncidentId } from '../../core/domain/ids.ts';
import { until } from '../fixtures/until.ts';
import { createNamespace, deleteNamespace, kubeClient, type KubeClient } from '../harness/kube-helpers.ts';
import type { EmulatedMessage } from '../harness/slack/slack-api-emulator.ts';
import { harness } from '../harness/use.ts';
import { createDeployment } from './deployments.ts';
import {
  clickPayload,
  incidentsChannel,
  startSlackRuntime,
  topLevel,
  type SlackRuntime,
} from '../slack/slack-runtime.ts';

const chattyAgent = fileURLToPath(new URL('../slack/agents/chatty-agent.mjs', import.meta.url));
const text = (m: EmulatedMessage | undefined) => (m ? `${m.text}\n${JSON.stringify(m.blocks)}` : '');

describe('remediation from Slack', () => {
  let client: KubeClient;
  let namespace: string;
  let wk: SlackRuntime;

  beforeAll(async () => {
    client = kubeClient(harness('kube').kubeconfigPath);
    namespace = await createNamespace(client, 'remedy-slack');
    await createDeployment(client, namespace, 'checkout');
    const actions = JSON.stringify([
      {
        type: 'rollout_restart',
        target: { kind: 'Deployment', namespace, name: 'checkout' },
        rationale: 'pick up the fixed config',
        risk: 'pods restart one by one',
      },
    ]);
    wk = await startSlackRuntime({
      cluster: 'harness',
      // cluster access for remediation; the watcher itself looks at an empty namespace (this test's faults
      // come from /triage only)
      watcher: { kubeconfig: harness('kube').kubeconfigPath, namespaces: { include: ['watchkeeper-none'] } },
      agents: {
        default: 'chatty',
        profiles: {
          chatty: {
            command: process.execPath,
            args: [chattyAgent, '{reportFile}'],
            env: { STEPS: '3', DELAY_MS: '20', ACTIONS: actions },
          },
        },
      },
      remediation: { approvers: ['S0SRE'], namespace },
    });
    wk.slack.userGroups.set('S0SRE', ['U0APPROVER']);
  }, 60_000);
  afterAll(async () => {
    await wk.stop();
    await deleteNamespace(client, namespace);
  });

  it('proposes the report’s rollout restart with its dry run, refuses an outsider, runs it for an approver, verified', async () => {
    const answer = await wk.client.command({
      command: '/triage',
      text: `deploy/${namespace}/checkout`,
      user_id: 'U0SRE1',
      channel_id: incidentsChannel,
      trigger_id: 'trigger-remedy',
      response_url: wk.slack.responseUrl(),
    });
    expect(String(answer.json?.text)).toMatch(/Starting a triage/);
    const cardOf = () => topLevel(wk.slack).find((m) => m.text.includes(`Deployment/${namespace}/checkout`));
    await until('the card', () => cardOf() !== undefined, 30_000).catch((error: unknown) => {
      throw new Error(
        `${String(error)}; cards: ${topLevel(wk.slack)
          .map((m) => m.text)
          .join(' | ')}; answers: ${wk.slack.responses.map((r) => JSON.stringify(r.body)).join(' | ')}`,
      );
    });
    const card = cardOf();
    if (!card) throw new Error('unreachable');
    const proposal = () =>
      wk.slack.thread(incidentsChannel, card.ts).find((m) => text(m).includes('Proposed remediation'));
    await until('the proposal with its dry run', () => text(proposal()).includes('restartedAt'), 30_000);
    expect(text(proposal())).toMatch(/rollout_restart.*Deployment\/.*checkout/);
    expect(text(proposal())).toContain('waiting for approval');
    const requestId = (/request `([^`]+)`/.exec(text(proposal())) ?? [])[1] ?? '';
    const generation = (await client.apps.readNamespacedDeployment({ namespace, name: 'checkout' })).metadata
      ?.generation;

    await wk.client.interaction(
      clickPayload('U0OUTSIDER', card, { action_id: actionIds.approveRemediation, value: requestId }),
    );
    await until('the outsider is told no', () =>
      wk.slack.calls.some((c) => c.method === 'chat.postEphemeral' && c.args.user === 'U0OUTSIDER'),
    );
    const refusal = wk.slack.calls.find(
      (c) => c.method === 'chat.postEphemeral' && c.args.user === 'U0OUTSIDER',
    );
    expect(String(refusal?.args.text)).toMatch(/not an approver/);
    expect(
      (await client.apps.readNamespacedDeployment({ namespace, name: 'checkout' })).metadata?.generation,
    ).toBe(generation);

    await wk.client.interaction(
      clickPayload('U0APPROVER', card, { action_id: actionIds.approveRemediation, value: requestId }),
    );
    await until('the card says remediated', () => card.text.includes('(remediated)'), 60_000);
    await until(
      'the proposal shows the verification',
      () => text(proposal()).includes('executed and verified'),
      10_000,
    );
    expect(text(proposal())).toContain('approved by <@U0APPROVER>');
    const after = await client.apps.readNamespacedDeployment({ namespace, name: 'checkout' });
    expect(after.metadata?.generation).toBeGreaterThan(generation ?? 0);
    const incident = await wk.runtime.store.chat.messageAt(card.channel, card.ts);
    const audit = await wk.runtime.store.audit.listByIncident(asIncidentId(incident?.incidentId ?? ''));
    expect(audit.filter((a) => a.action.startsWith('remediation.')).map((a) => [a.action, a.actor])).toEqual([
      ['remediation.proposed', { type: 'system', component: 'remediation' }],
      ['remediation.approve_refused', { type: 'slack-user', userId: 'U0OUTSIDER' }],
      ['remediation.approved', { type: 'slack-user', userId: 'U0APPROVER' }],
      ['remediation.verified', { type: 'system', component: 'remediation' }],
    ]);
  }, 90_000);
});
