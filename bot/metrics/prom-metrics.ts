/**
 * The Metrics port on prom-client: counters and histograms Watchkeeper's services record into, on one registry
 * per runtime (never the global one, so two runtimes in one process keep apart). Names follow the Prometheus
 * conventions: a `watchkeeper_` prefix, base units (seconds), `_total` on counters.
 */
import { Counter, Histogram, type Registry } from 'prom-client';
import type { Metrics } from '../../core/ports/metrics.ts';

/** A Slack method name as it appears in a request path; anything else is counted as `other`. */
const slackMethod = /^[a-z]+(\.[a-zA-Z]+){1,3}$/;

export function createPromMetrics(registry: Registry): Metrics {
  const registers = [registry];
  const faults = new Counter({
    name: 'watchkeeper_faults_received_total',
    help: 'Fault observations received, by source kind, fault class and how intake settled them',
    labelNames: ['source', 'class', 'outcome'],
    registers,
  });
  const runs = new Counter({
    name: 'watchkeeper_triage_runs_total',
    help: 'Triage runs that ended, by agent profile and outcome (succeeded or the failure reason)',
    labelNames: ['agent', 'outcome'],
    registers,
  });
  const runDuration = new Histogram({
    name: 'watchkeeper_triage_run_duration_seconds',
    help: 'How long triage runs took from start to end, by agent profile and outcome',
    labelNames: ['agent', 'outcome'],
    buckets: [5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600],
    registers,
  });
  const faultToReport = new Histogram({
    name: 'watchkeeper_fault_to_report_seconds',
    help: "Time from an incident's first fault to a triage report, by agent profile",
    labelNames: ['agent'],
    buckets: [15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200],
    registers,
  });
  const faultToPost = new Histogram({
    name: 'watchkeeper_fault_to_first_slack_post_seconds',
    help: "Time from an incident's first fault to its card in Slack",
    buckets: [0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300],
    registers,
  });
  const tokens = new Counter({
    name: 'watchkeeper_agent_tokens_total',
    help: 'Model tokens agents used, by agent profile and type (input or output), as their CLIs report them',
    labelNames: ['agent', 'type'],
    registers,
  });
  const cost = new Counter({
    name: 'watchkeeper_agent_cost_usd_total',
    help: 'What agent runs cost in US dollars, by agent profile (reported by the CLI or priced from tokens)',
    labelNames: ['agent'],
    registers,
  });
  const slackCalls = new Counter({
    name: 'watchkeeper_slack_api_requests_total',
    help: 'HTTP requests to the Slack Web API, by method and result (ok, rate_limited or error); retries count',
    labelNames: ['method', 'result'],
    registers,
  });

  return {
    faultSettled(fault, outcome) {
      faults.inc({ source: fault.source.kind, class: fault.class, outcome });
    },
    runEnded(run) {
      const labels = { agent: run.agent, outcome: run.outcome };
      runs.inc(labels);
      if (run.durationMs !== undefined) runDuration.observe(labels, run.durationMs / 1000);
      if (run.faultToReportMs !== undefined)
        faultToReport.observe({ agent: run.agent }, run.faultToReportMs / 1000);
      const { inputTokens, outputTokens, costUsd } = run.usage ?? {};
      if (inputTokens !== undefined && inputTokens > 0)
        tokens.inc({ agent: run.agent, type: 'input' }, inputTokens);
      if (outputTokens !== undefined && outputTokens > 0)
        tokens.inc({ agent: run.agent, type: 'output' }, outputTokens);
      if (costUsd !== undefined && costUsd > 0) cost.inc({ agent: run.agent }, costUsd);
    },
    firstSlackPost(faultToPostMs) {
      faultToPost.observe(Math.max(0, faultToPostMs) / 1000);
    },
    slackCall(method, result) {
      slackCalls.inc({ method: slackMethod.test(method) ? method : 'other', result });
    },
  };
}
