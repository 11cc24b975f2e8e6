// A scripted "agent" that talks a lot: STEPS tool calls, DELAY_MS apart, each with a result, then a valid report.
// Used to load the Slack side with progress (many concurrent runs) and to stop a run halfway (restart tests).
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

const [reportFile] = process.argv.slice(2);
const steps = Number(process.env.STEPS ?? 20);
const delayMs = Number(process.env.DELAY_MS ?? 50);
const incident = JSON.parse(readFileSync('incident.json', 'utf8'));
const resource = incident.incident.primaryResource;
const progress = (event) =>
  appendFileSync(process.env.WATCHKEEPER_PROGRESS_FILE, `${JSON.stringify(event)}\n`);

for (let i = 1; i <= steps; i += 1) {
  progress({
    type: 'tool.called',
    callId: String(i),
    tool: 'kubectl',
    summary: `describe pod ${resource.name} (step ${i})`,
  });
  await sleep(delayMs);
  progress({ type: 'tool.result', callId: String(i), ok: i % 7 !== 0 });
}

writeFileSync(
  reportFile,
  `# ${resource.name}: scripted triage

## Triage card
- Status: investigated
- Severity: high
- Root cause: ${process.env.ROOT_CAUSE ?? 'the container exits at start because DATABASE_URL is not set'}
- Confidence: medium

## Problem statement
${resource.kind} ${resource.namespace}/${resource.name} is failing.

## Findings
- fact: ${steps} scripted steps ran.

## Hypotheses
1. Missing environment variable.

## Remediation plan
None.

\`\`\`json watchkeeper-actions
${process.env.ACTIONS ?? '[]'}
\`\`\`

## Proof of work
- kubectl describe: ${steps} times
`,
);
