// A scripted agent whose usage is known: it writes a valid report and ends its stdout with a Claude Code
// stream-json `result` line (INPUT_TOKENS, OUTPUT_TOKENS, COST_USD), unless its pod's name says `fail`: then it
// crashes with nothing reported, as a broken agent would.
import { readFileSync, writeFileSync } from 'node:fs';

const [reportFile] = process.argv.slice(2);
const incident = JSON.parse(readFileSync('incident.json', 'utf8'));
const resource = incident.incident.primaryResource;

if (resource.name.includes('fail')) {
  process.stderr.write('metered-agent: cannot reach the model\n');
  process.exit(3);
}

writeFileSync(
  reportFile,
  `# ${resource.name}: scripted triage

## Triage card
- Status: investigated
- Severity: high
- Root cause: the container exits at start because DATABASE_URL is not set
- Confidence: medium

## Problem statement
${resource.kind} ${resource.namespace}/${resource.name} is failing.

## Findings
- fact: the log says DATABASE_URL is missing.

## Hypotheses
1. Missing environment variable.

## Remediation plan
None.

\`\`\`json watchkeeper-actions
[]
\`\`\`

## Proof of work
- read the fault's log tail
`,
);
process.stdout.write(
  `${JSON.stringify({
    type: 'result',
    subtype: 'success',
    is_error: false,
    num_turns: 3,
    duration_ms: 1200,
    result: 'report written',
    total_cost_usd: Number(process.env.COST_USD),
    usage: {
      input_tokens: Number(process.env.INPUT_TOKENS),
      output_tokens: Number(process.env.OUTPUT_TOKENS),
    },
  })}\n`,
);
