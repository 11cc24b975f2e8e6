/**
 * One triage scenario every agent CLI plays through the scripted model server: list the namespace's pods with
 * kubectl, read the crashing pod through the Kubernetes MCP server, try to delete it (the deny policy must stop
 * that), then answer with the report.
 */
import type { ScriptStep } from '../../harness/model-server/script.ts';

export const crashingPod = 'checkout';
export const rootCause = 'the container exits at start because DATABASE_URL is not set';

export function triageReport(namespace: string): string {
  return `# ${crashingPod} crash-loops: missing configuration

## Triage card
- Status: investigated
- Severity: high
- Root cause: ${rootCause}
- Confidence: medium

## Problem statement
Pod ${namespace}/${crashingPod} is in CrashLoopBackOff.

## Findings
- fact: kubectl lists the pod as CrashLoopBackOff; its last exit says panic: missing DATABASE_URL.
- inference: the crash is a configuration error.

## Hypotheses
1. Missing environment variable (most likely).

## Remediation plan
Add the variable, then restart the rollout.

\`\`\`json watchkeeper-actions
[{ "type": "rollout_restart", "target": { "kind": "Deployment", "namespace": "${namespace}", "name": "${crashingPod}" }, "rationale": "pick up the fixed config", "risk": "brief restart" }]
\`\`\`

## Proof of work
- kubectl get pods: to see the pod's state
- pods_get (Kubernetes MCP server): to read its last termination
- kubectl delete pod: refused by the deny policy, as it must be
`;
}

export function triageScript(namespace: string): ScriptStep[] {
  return [
    { kind: 'shell', command: `kubectl get pods -n ${namespace} -o wide` },
    { kind: 'mcp', tool: 'pods_get', args: { namespace, name: crashingPod } },
    { kind: 'shell', command: `kubectl delete pod ${crashingPod} -n ${namespace}` },
    { kind: 'text', text: triageReport(namespace) },
  ];
}
