/**
 * /metrics after an end-to-end run: a whole Watchkeeper (real PostgreSQL, NATS, S3, the Slack emulator) takes
 * faults from its webhook and from a real MCP server over stdio, triages them with a scripted agent whose token
 * use is known, posts to Slack through one injected rate limit, and resolves one incident. A scrape, read by a
 * real parser of the exposition format, must show exactly that: no more, no less, and no incident or pod name.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../fixtures/until.ts';
import { startSlackRuntime, topLevel, type SlackRuntime } from '../slack/slack-runtime.ts';
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { hasMetric, histogram, labelSets, scrape, value, type Scrape } from './exposition.ts';
import { promqlReferences } from './promql-references.ts';

const webhookToken = 'metrics-webhook-token';
const agentScript = fileURLToPath(new URL('agents/metered-agent.mjs', import.meta.url));
const stdioServer = fileURLToPath(new URL('../intake/stdio-fault-server.ts', import.meta.url));
const usage = { input: 1234, output: 56, cost: 0.0789 };
const observedAt = new Date(Date.now() - 60_000).toISOString();

const pod = (name: string) => ({ apiVersion: 'v1', kind: 'Pod', namespace: 'metrics-shop', name });
const hookFault = (id: string, name: string, resolved = false) => ({
  id,
  class: 'CrashLoopBackOff',
  severity: 'high',
  resource: pod(name),
  container: 'app',
  message: 'back-off restarting failed container',
  resolved,
  observedAt,
});

describe('/metrics after an end-to-end run', () => {
  let wk: SlackRuntime;
  let metrics: Scrape;

  const post = async (faults: unknown[]) => {
    const response = await fetch(`${wk.runtime.url}/webhooks/faults`, {
      method: 'POST',
      headers: { authorization: `Bearer ${webhookToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ faults }),
    });
    expect(response.status).toBe(202);
  };

  beforeAll(async () => {
    wk = await startSlackRuntime(
      {
        mcp: {
          servers: [
            { name: 'local', command: process.execPath, args: ['--import', 'tsx', stdioServer] },
            // nothing listens on port 9: this listener never connects
            { name: 'offline', url: 'http://127.0.0.1:9/mcp', pingSeconds: 5 },
          ],
        },
        agents: {
          default: 'scripted',
          profiles: {
            scripted: {
              command: process.execPath,
              args: [agentScript, '{reportFile}'],
              stream: 'claude-code',
              env: {
                INPUT_TOKENS: String(usage.input),
                OUTPUT_TOKENS: String(usage.output),
                COST_USD: String(usage.cost),
              },
            },
          },
        },
      },
      undefined,
      { WATCHKEEPER_WEBHOOK_TOKEN: webhookToken },
    );
    // Slack refuses the first card once with 429 + Retry-After; the client waits it out and posts again
    wk.slack.rateLimit('chat.postMessage', 1, 1);

    await post([
      hookFault('checkout-crash', 'checkout-7d9f-abcde'),
      hookFault('pay-crash', 'payments-fail-x1'),
    ]);
    await post([hookFault('checkout-crash', 'checkout-7d9f-abcde')]); // the same observation again
    await until(
      'three runs have ended (two webhook incidents, one MCP incident)',
      async () => (await wk.runtime.store.runs.listByStatus(['succeeded', 'failed'])).length === 3,
      90_000,
      200,
    );
    await until('three cards are posted', () => topLevel(wk.slack).length === 3, 20_000);
    await post([hookFault('pay-crash', 'payments-fail-x1', true)]);
    await until(
      'the failed incident is resolved',
      async () => (await wk.runtime.store.incidents.countOpenByStatus()).triage_failed === undefined,
      20_000,
    );
    // Slack writes are coalesced (cards every 3 s): wait until nothing has been sent for 4 s, then scrape
    let calls = -1;
    let quietSince = Date.now();
    await until(
      'Slack traffic settles',
      () => {
        if (wk.slack.calls.length !== calls) {
          calls = wk.slack.calls.length;
          quietSince = Date.now();
        }
        return Date.now() - quietSince > 4_000;
      },
      60_000,
      250,
    );
    metrics = await scrape(wk.runtime.url);
  }, 180_000);

  afterAll(async () => {
    await wk.stop();
  });

  it('counts every fault by source, class and what intake did with it', () => {
    const faults = 'watchkeeper_faults_received_total';
    expect(labelSets(metrics, faults)).toHaveLength(4);
    expect(value(metrics, faults, { source: 'webhook', class: 'CrashLoopBackOff', outcome: 'new' })).toBe(2);
    expect(
      value(metrics, faults, { source: 'webhook', class: 'CrashLoopBackOff', outcome: 'duplicate' }),
    ).toBe(1);
    expect(
      value(metrics, faults, { source: 'webhook', class: 'CrashLoopBackOff', outcome: 'resolved' }),
    ).toBe(1);
    expect(value(metrics, faults, { source: 'mcp', class: 'CrashLoopBackOff', outcome: 'new' })).toBe(1);
  });

  it('shows open incidents by state, read from the store', async () => {
    const open = 'watchkeeper_open_incidents';
    expect(value(metrics, open, { state: 'reported' })).toBe(2);
    expect(value(metrics, open)).toBe(2); // every other open state reads 0
    expect(labelSets(metrics, open).map((labels) => labels.state)).toContain('triage_failed');
    expect(await wk.runtime.store.incidents.countOpenByStatus()).toEqual({ reported: 2 });
  });

  it('counts runs by agent and outcome, with their duration, tokens and cost', async () => {
    const runs = 'watchkeeper_triage_runs_total';
    expect(value(metrics, runs, { agent: 'scripted', outcome: 'succeeded' })).toBe(2);
    expect(value(metrics, runs, { agent: 'scripted', outcome: 'crashed' })).toBe(1);
    expect(value(metrics, runs)).toBe(3);
    expect(histogram(metrics, 'watchkeeper_triage_run_duration_seconds').count).toBe(3);
    const toReport = histogram(metrics, 'watchkeeper_fault_to_report_seconds', { agent: 'scripted' });
    expect(toReport.count).toBe(2);
    expect(toReport.sum).toBeGreaterThan(0);

    const tokens = 'watchkeeper_agent_tokens_total';
    expect(value(metrics, tokens, { agent: 'scripted', type: 'input' })).toBe(2 * usage.input);
    expect(value(metrics, tokens, { agent: 'scripted', type: 'output' })).toBe(2 * usage.output);
    expect(value(metrics, 'watchkeeper_agent_cost_usd_total', { agent: 'scripted' })).toBeCloseTo(
      2 * usage.cost,
      9,
    );
    // the same figures the store kept for each run
    const stored = await wk.runtime.store.runs.listByStatus(['succeeded', 'failed']);
    const storedInput = stored.reduce((n, run) => n + (run.usage?.inputTokens ?? 0), 0);
    expect(value(metrics, tokens, { type: 'input' })).toBe(storedInput);
  });

  it('times each incident from its fault to its first Slack post', () => {
    const posted = histogram(metrics, 'watchkeeper_fault_to_first_slack_post_seconds');
    expect(posted.count).toBe(3);
    expect(posted.sum).toBeGreaterThan(0);
  });

  it('counts every Slack Web API request by method and result, the 429 included', () => {
    const expected = new Map<string, number>();
    for (const call of wk.slack.calls) {
      const result =
        call.status === 429 ? 'rate_limited' : call.status === 200 && call.body?.ok === true ? 'ok' : 'error';
      const key = `${call.method} ${result}`;
      expected.set(key, (expected.get(key) ?? 0) + 1);
    }
    const counted = new Map(
      labelSets(metrics, 'watchkeeper_slack_api_requests_total').map((labels) => [
        `${labels.method} ${labels.result}`,
        value(metrics, 'watchkeeper_slack_api_requests_total', labels as Record<string, string>),
      ]),
    );
    expect(Object.fromEntries(counted)).toEqual(Object.fromEntries(expected));
    expect(counted.get('chat.postMessage rate_limited')).toBe(1);
    expect(counted.get('chat.postMessage ok')).toBeGreaterThanOrEqual(3);
  });

  it("shows each MCP listener's state", () => {
    expect(value(metrics, 'watchkeeper_mcp_listener_connected', { server: 'local' })).toBe(1);
    expect(value(metrics, 'watchkeeper_mcp_listener_connected', { server: 'offline' })).toBe(0);
    const state = 'watchkeeper_mcp_listener_state';
    expect(value(metrics, state, { server: 'local', state: 'connected' })).toBe(1);
    expect(value(metrics, state, { server: 'local' })).toBe(1);
    expect(value(metrics, state, { server: 'offline', state: 'connected' })).toBe(0);
    expect(value(metrics, state, { server: 'offline' })).toBe(1); // exactly one state is current
  });

  it('shows the breaker closed and no triage work waiting', () => {
    expect(value(metrics, 'watchkeeper_triage_breaker_state', { state: 'closed' })).toBe(1);
    expect(value(metrics, 'watchkeeper_triage_breaker_state')).toBe(1);
    expect(value(metrics, 'watchkeeper_triage_breaker_consecutive_failures')).toBeLessThanOrEqual(1);
    expect(value(metrics, 'watchkeeper_work_queue_depth', { kind: 'triage' })).toBe(0);
  });

  it("carries Node's process metrics", () => {
    expect(value(metrics, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(value(metrics, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
  });

  it('never names an incident, a fault or a pod in a label', async () => {
    const incidents = await wk.runtime.store.incidents.list({ limit: 100 });
    const names = [
      ...incidents.flatMap((incident) => [incident.id, incident.primaryResource.name, incident.fingerprint]),
      'checkout',
      'payments',
      'metrics-shop',
      'stdio-fault-1',
    ];
    const labelValues = [...metrics.families.values()].flatMap((family) =>
      family.metrics.flatMap((sample) => Object.values(sample.labels ?? {})),
    );
    for (const name of names) expect(labelValues.filter((label) => label.includes(name))).toEqual([]);
  });

  it('answers only GET and HEAD', async () => {
    const posted = await fetch(`${wk.runtime.url}/metrics`, { method: 'POST', body: 'x' });
    expect(posted.status).toBe(405);
    expect(posted.headers.get('allow')).toBe('GET, HEAD');
    const head = await fetch(`${wk.runtime.url}/metrics`, { method: 'HEAD' });
    expect(head.status).toBe(200);
  });

  describe('the dashboard and the alerts', () => {
    /** Labels every series has once Prometheus scraped it. */
    const targetLabels = ['job', 'instance', 'namespace', 'pod'];

    async function expressions(): Promise<{ where: string; expr: string }[]> {
      const dashboard = JSON.parse(
        await readFile(new URL('../../deploy/grafana/watchkeeper-dashboard.json', import.meta.url), 'utf8'),
      ) as { panels: { title: string; targets?: { expr: string }[] }[]; templating: { list: unknown[] } };
      const rule = parse(
        await readFile(new URL('../../deploy/prometheus/alerts.yaml', import.meta.url), 'utf8'),
      ) as { kind: string; spec: { groups: { rules: { alert: string; expr: string }[] }[] } };
      expect(rule.kind).toBe('PrometheusRule');
      const variables = JSON.stringify(dashboard.templating.list).match(/label_values\(([^)]*)\)/g) ?? [];
      return [
        ...dashboard.panels.flatMap((panel) =>
          (panel.targets ?? []).map((target) => ({ where: `panel "${panel.title}"`, expr: target.expr })),
        ),
        ...variables.map((expr) => ({
          where: 'a dashboard variable',
          expr: expr.replace(/^label_values\((.*),.*\)$/, '$1'),
        })),
        ...rule.spec.groups.flatMap((group) =>
          group.rules.map((alert) => ({ where: `alert ${alert.alert}`, expr: alert.expr })),
        ),
      ];
    }

    it('select only metrics the exposition has, with labels those metrics carry', async () => {
      // the checker itself sees a misspelt metric and its labels, and a syntax error
      const misspelt = promqlReferences(
        'sum by (agent) (rate(watchkeeper_triage_run_total{outcom="x"}[$__rate_interval]))',
      );
      expect(misspelt).toEqual({
        selectors: [{ metric: 'watchkeeper_triage_run_total', labels: ['outcom'] }],
        syntaxErrors: [],
      });
      expect(hasMetric(metrics, 'watchkeeper_triage_run_total')).toBe(false);
      expect(promqlReferences('sum(rate(watchkeeper_triage_runs_total[5m])').syntaxErrors).not.toEqual([]);

      const all = await expressions();
      expect(all.length).toBeGreaterThan(20);
      const problems: string[] = [];
      for (const { where, expr } of all) {
        const { selectors, syntaxErrors } = promqlReferences(expr);
        for (const error of syntaxErrors) problems.push(`${where}: PromQL syntax error ${error}`);
        if (selectors.length === 0) problems.push(`${where}: selects no metric`);
        for (const { metric, labels } of selectors) {
          if (!hasMetric(metrics, metric)) {
            problems.push(`${where}: ${metric} is not exposed`);
            continue;
          }
          const samples = metrics.families.get(metric)?.metrics ?? [];
          if (samples.length === 0) continue; // nothing recorded yet: its labels cannot be checked here
          const known = new Set([
            ...targetLabels,
            'le',
            ...samples.flatMap((sample) => Object.keys(sample.labels ?? {})),
          ]);
          for (const label of labels)
            if (!known.has(label)) problems.push(`${where}: ${metric} has no label ${label}`);
        }
      }
      expect(problems).toEqual([]);
    });

    it('alert on each condition the issue names', async () => {
      const alerts = (await expressions()).filter((e) => e.where.startsWith('alert')).map((e) => e.where);
      expect(alerts).toEqual(
        expect.arrayContaining([
          'alert WatchkeeperMcpListenerDown',
          'alert WatchkeeperTriageBreakerOpen',
          'alert WatchkeeperTriageRunsFailing',
          'alert WatchkeeperSlackRateLimited',
          'alert WatchkeeperWorkQueueGrowing',
        ]),
      );
    });
  });
});
