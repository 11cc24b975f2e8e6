/** The deny policy agents' tool calls go through (hooks and the kubectl guard). */
import { describe, expect, it } from 'vitest';
import { judgeCommand, judgeKubectlArguments, judgeWrite } from '../../runners/hooks/deny-policy.mjs';

describe('the deny policy for shell commands', () => {
  it.each([
    'kubectl delete pod checkout -n shop',
    'kubectl -n shop delete pod checkout',
    'kubectl --context=prod apply -f x.yaml',
    'kubectl --namespace shop scale deploy/checkout --replicas=0',
    'kubectl exec -it checkout -- sh',
    'kubectl rollout restart deploy/checkout',
    'kubectl rollout undo deploy/checkout',
    'kubectl cordon node-1',
    'kubectl drain node-1 --ignore-daemonsets',
    'kubectl label pod x a=b',
    'kubectl annotate pod x a=b',
    'kubectl edit deploy/x',
    'kubectl patch deploy x -p {}',
    'kubectl create secret generic x',
    'kubectl certificate approve csr-1',
    '/usr/local/bin/kubectl delete ns shop',
    'kubectl get pods && kubectl delete pod x',
    'kubectl get pods | grep x; kubectl delete pod x',
    'bash -c "kubectl delete pod x"',
    'echo $(kubectl delete pod x)',
    'helm upgrade shop ./chart',
    'helm -n shop uninstall shop',
    'helm install x ./chart',
    'oc delete pod x',
  ])('refuses: %s', (command) => {
    expect(judgeCommand(command)).toMatch(/deny policy/);
  });

  it.each([
    'kubectl get pods -n shop -o wide',
    'kubectl -n shop describe pod checkout',
    'kubectl logs checkout --previous -n shop',
    'kubectl get events --field-selector involvedObject.name=checkout',
    'kubectl rollout status deploy/checkout',
    'kubectl rollout history deploy/checkout',
    'kubectl auth can-i delete pods',
    'kubectl top pods',
    'kubectl get pods | grep delete',
    'helm list -A',
    'helm status shop',
    'cat report.md',
    'echo kubectl',
  ])('allows: %s', (command) => {
    expect(judgeCommand(command)).toBeUndefined();
  });

  it('judges the kubectl guard’s arguments without a shell', () => {
    expect(judgeKubectlArguments(['-n', 'shop', 'delete', 'pod', 'x'])).toMatch(/kubectl delete/);
    expect(
      judgeKubectlArguments(['get', 'pods', '-o', 'jsonpath={.items[*].metadata.name}']),
    ).toBeUndefined();
  });
});

describe('the deny policy for file writes', () => {
  const workspace = '/var/lib/watchkeeper/runs/r1';
  it.each(['report.md', './notes/a.txt', `${workspace}/report.md`])(
    'allows %s inside the workspace',
    (path) => {
      expect(judgeWrite(path, workspace)).toBeUndefined();
    },
  );
  it.each(['/etc/passwd', '../r2/report.md', `${workspace}/../../x`, '/var/lib/watchkeeper/runs/r1-evil/x'])(
    'refuses %s outside it',
    (path) => {
      expect(judgeWrite(path, workspace)).toMatch(/outside the run's workspace/);
    },
  );
});
