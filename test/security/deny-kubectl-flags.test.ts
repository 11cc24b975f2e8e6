/**
 * The deny policy finds kubectl's verb behind any global flag and its value: the flags are read from the real
 * `kubectl options` of this machine, so a kubectl release that adds a value-taking global flag fails here
 * before an agent can hide `delete` behind it.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { judgeCommand, judgeKubectlArguments } from '../../runners/hooks/deny-policy.mjs';

interface GlobalFlag {
  readonly names: readonly string[];
  readonly boolean: boolean;
}

/** `    -n, --namespace='':` → names -n and --namespace, takes a value. */
function kubectlGlobalFlags(): GlobalFlag[] {
  const text = execFileSync('kubectl', ['options'], { encoding: 'utf8' });
  return text.split('\n').flatMap((line) => {
    const match = /^\s+((?:-\w, )?--[\w-]+)=(.*):$/.exec(line);
    if (!match?.[1]) return [];
    return [{ names: match[1].split(', '), boolean: /^(true|false)$/.test(match[2] ?? '') }];
  });
}

const flags = kubectlGlobalFlags();
const valueFlags = flags.filter((flag) => !flag.boolean);

describe('kubectl global flags before the verb', () => {
  it('reads the flags from kubectl itself', () => {
    expect(valueFlags.map((flag) => flag.names.at(-1))).toEqual(
      expect.arrayContaining(['--namespace', '--context', '--kubeconfig', '--log-flush-frequency', '--v']),
    );
    expect(flags.filter((flag) => flag.boolean).length).toBeGreaterThan(0);
  });

  it.each(valueFlags.flatMap((flag) => flag.names))(
    '`kubectl %s <value> delete pod x` is refused, spelled apart or with =',
    (name) => {
      expect(judgeCommand(`kubectl ${name} 5s delete pod checkout -n shop`)).toMatch(/kubectl delete/);
      expect(judgeCommand(`kubectl ${name}=5s delete pod checkout`)).toMatch(/kubectl delete/);
      expect(judgeKubectlArguments([name, 'x', 'delete', 'pod', 'checkout'])).toMatch(/kubectl delete/);
      // the value is not taken for the verb: a read stays allowed
      expect(judgeCommand(`kubectl ${name} delete get pods`)).toBeUndefined();
    },
  );

  it.each([
    'kubectl --log-flush-frequency 5s delete pod checkout',
    'kubectl -v=9 --context=prod --kubeconfig /tmp/k -n shop delete pod checkout',
    'kubectl -v 9 --insecure-skip-tls-verify --request-timeout 1s scale deploy/x --replicas=0',
    'kubectl -nshop delete pod checkout',
    'kubectl --warnings-as-errors rollout restart deploy/x',
    'kubectl --vmodule x=9 --as admin --as-group system:masters exec -it checkout -- sh',
    'kubectl --profile cpu --profile-output /tmp/p apply -f x.yaml',
    'kubectl -- delete pod checkout',
  ])('refuses: %s', (command) => {
    expect(judgeCommand(command)).toMatch(/deny policy/);
  });
});
