// A scripted "agent" for the custom-profile test: reads the prompt Watchkeeper wrote, investigates with kubectl
// and the kubeconfig it was given (the run's minted token), tries one forbidden read, and writes the report.
import { execFileSync } from 'node:child_process';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';

const [promptFile, reportFile] = process.argv.slice(2);
const prompt = readFileSync(promptFile, 'utf8');
const incident = JSON.parse(readFileSync('incident.json', 'utf8'));
const fault = incident.faults[0];
const kubectl = (...args) => {
  try {
    return {
      ok: true,
      out: execFileSync('kubectl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }),
    };
  } catch (error) {
    return { ok: false, out: `${error.stderr ?? error.message}` };
  }
};
const progress = (event) =>
  appendFileSync(process.env.WATCHKEEPER_PROGRESS_FILE, `${JSON.stringify(event)}\n`);
progress({
  type: 'tool.called',
  callId: '1',
  tool: 'kubectl',
  summary: `get pods -n ${fault.resource.namespace}`,
});
const pods = kubectl('get', 'pods', '-n', fault.resource.namespace, '-o', 'wide');
progress({ type: 'tool.result', callId: '1', ok: pods.ok });
progress({
  type: 'tool.called',
  callId: '2',
  tool: 'kubectl',
  summary: 'get secrets (with Authorization: Bearer sk-live-zzzzzzzzzzzzzzzz)',
});
const secrets = kubectl('get', 'secrets', '-n', fault.resource.namespace);
progress({ type: 'tool.result', callId: '2', ok: secrets.ok, excerpt: secrets.out.slice(0, 200) });
appendFileSync(process.env.WATCHKEEPER_PROGRESS_FILE, 'not json\n');
progress({ type: 'assistant.message', excerpt: 'The pod crashes because DATABASE_URL is missing.' });
console.log(`prompt has ${prompt.length} characters; access section: ${/can: list pods/.test(prompt)}`);
console.log(`kubectl get pods: ${pods.ok ? 'ok' : 'failed'}\n${pods.out}`);
console.log(`kubectl get secrets: ${secrets.ok ? 'ok' : 'refused'}\n${secrets.out}`);
console.log('debug: AWS key AKIAABCDEFGHIJKLMNOP and Authorization: Bearer sk-live-abcdefghijklmnop');
console.log(`my kubeconfig:\n${readFileSync(process.env.KUBECONFIG, 'utf8')}`);
const pem = '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAtestkeymaterial\n-----END RSA PRIVATE KEY-----';
console.log(pem);

writeFileSync(
  reportFile,
  `# ${fault.resource.name} crash-loops: missing configuration

## Triage card
- Status: investigated
- Severity: high
- Root cause: the container exits at start because DATABASE_URL is not set
- Confidence: medium

## Problem statement
Pod ${fault.resource.namespace}/${fault.resource.name} is in CrashLoopBackOff.

## Findings
- fact: \`kubectl get pods\` lists the pod (see evidence).
- inference: the crash is a configuration error.

## Hypotheses
1. Missing environment variable (most likely).

## Remediation plan
Add the variable, then restart the rollout.

\`\`\`json watchkeeper-actions
[{ "type": "rollout_restart", "target": { "kind": "Deployment", "namespace": "${fault.resource.namespace}", "name": "checkout" }, "rationale": "pick up the fixed config", "risk": "brief restart" }]
\`\`\`

## Proof of work
- kubectl get pods -n ${fault.resource.namespace} -o wide: to see the pod
- kubectl get secrets: refused, as expected (${secrets.ok ? 'UNEXPECTEDLY ALLOWED' : 'forbidden'})

## Evidence
\`\`\`
${pods.out.trim()}
\`\`\`
<script>alert('x')</script>

Found in a ConfigMap: aws_access_key_id=AKIAQX4RT7LM2WZK5NBP and
${pem}
`,
);
