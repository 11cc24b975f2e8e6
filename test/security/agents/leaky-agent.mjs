// A scripted "agent" that leaks: every secret form Watchkeeper must hide (read from the file named by its second argument) goes into
// its progress events (tool calls, tool output, messages), its stdout and stderr (the transcript) and its
// report (the card's root cause included). For a resource named crashy-*, it crashes instead, its stderr and
// last words full of secrets: the failure detail.
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';

const [reportFile, secretTextFile] = process.argv.slice(2);
const forms = JSON.parse(readFileSync(secretTextFile, 'utf8'));
const incident = JSON.parse(readFileSync('incident.json', 'utf8'));
const resource = incident.incident.primaryResource;
const progress = (event) =>
  appendFileSync(process.env.WATCHKEEPER_PROGRESS_FILE, `${JSON.stringify(event)}\n`);
const all = forms.join('\n');

forms.forEach((text, i) => {
  progress({ type: 'tool.called', callId: String(i), tool: 'kubectl', summary: text });
  progress({ type: 'tool.result', callId: String(i), ok: true, excerpt: text });
  progress({ type: 'assistant.message', excerpt: `I found: ${text}` });
});
process.stdout.write(`${JSON.stringify({ type: 'tool_result', content: all })}\n${all}\n`);
process.stderr.write(`${all}\n`);

if (resource.name.startsWith('crashy')) {
  progress({ type: 'error', message: `giving up: ${forms[0]}` });
  process.stderr.write(`fatal: could not authenticate with ${forms.slice(-8).join(' ')}\n`);
  process.exit(1);
}

const oneLine = forms.map((text) => text.replaceAll('\n', ' ')).join(' ; ');
writeFileSync(
  reportFile,
  `# ${resource.name}: leaky triage

## Triage card
- Status: investigated
- Severity: high
- Root cause: the app logs its credentials: ${oneLine.slice(0, 1500)}
- Confidence: medium

## Problem statement
${resource.kind} ${resource.namespace}/${resource.name} prints its secrets.

## Findings
${forms.map((text) => `- fact: \n\`\`\`\n${text}\n\`\`\``).join('\n')}

## Hypotheses
1. The app logs its configuration at start.

## Remediation plan
Rotate every credential above.

\`\`\`json watchkeeper-actions
[]
\`\`\`

## Proof of work
- ${all.replaceAll('\n', ' ')}
`,
);
