// The deny policy for agents' tool calls: kubectl and helm commands that change the cluster, exec into pods or
// move data, and the file tools (Write, Edit…) writing outside the run's workspace. Plain JavaScript because it
// runs inside the sandbox (hooks and the kubectl guard), where only Node is certain to be present. Defence in
// depth on both counts: the run's token is read-only, and the local sandbox's file system is read-only outside
// the workspace (and a private /tmp) whatever writes, Bash redirections included; this policy only gives the
// agent a clear refusal early.

const kubectlMutating = new Set([
  'apply',
  'create',
  'delete',
  'edit',
  'patch',
  'replace',
  'scale',
  'autoscale',
  'annotate',
  'label',
  'taint',
  'cordon',
  'uncordon',
  'drain',
  'exec',
  'attach',
  'cp',
  'run',
  'expose',
  'set',
  'debug',
  'port-forward',
  'proxy',
]);
const kubectlRolloutMutating = new Set(['restart', 'undo', 'pause', 'resume']);
const kubectlCertificateMutating = new Set(['approve', 'deny']);
const helmMutating = new Set([
  'install',
  'upgrade',
  'uninstall',
  'delete',
  'rollback',
  'test',
  'push',
  'repo',
  'plugin',
]);
/**
 * kubectl's global flags that take a value (`-n shop`, `--log-flush-frequency 5s`), so the value is not taken
 * for the verb: every flag `kubectl options` (v1.32–1.36) lists with a non-boolean default. The boolean ones
 * (`--insecure-skip-tls-verify`, `--match-server-version`, `--disable-compression`, `--warnings-as-errors`)
 * never consume the next word.
 */
const kubectlValueFlags = new Set([
  '--as',
  '--as-group',
  '--as-uid',
  '--cache-dir',
  '--certificate-authority',
  '--client-certificate',
  '--client-key',
  '--cluster',
  '--context',
  '--kubeconfig',
  '--log-flush-frequency',
  '-n',
  '--namespace',
  '--password',
  '--profile',
  '--profile-output',
  '--request-timeout',
  '-s',
  '--server',
  '--tls-server-name',
  '--token',
  '--user',
  '--username',
  '-v',
  '--v',
  '--vmodule',
]);
const helmValueFlags = new Set([
  '-n',
  '--namespace',
  '--kube-context',
  '--kubeconfig',
  '--kube-token',
  '--kube-apiserver',
  '--registry-config',
  '--repository-cache',
  '--repository-config',
]);

/** Splits a shell command into simple commands' words (quotes dropped, so `bash -c "kubectl delete …"` is seen). */
function simpleCommands(command) {
  return command
    .replace(/\\\n/g, ' ')
    .split(/\|\||&&|[;|&\n`()]|\$\(/)
    .map((part) => part.replace(/["']/g, ' ').trim().split(/\s+/).filter(Boolean));
}

function positionals(words, valueFlags) {
  const result = [];
  for (let i = 0; i < words.length; i += 1) {
    const word = words[i];
    if (word === '--') {
      result.push(...words.slice(i + 1));
      break;
    }
    if (word.startsWith('-')) {
      if (!word.includes('=') && valueFlags.has(word)) i += 1;
      continue;
    }
    result.push(word);
  }
  return result;
}

function judgeKubectl(words) {
  const [verb, sub] = positionals(words, kubectlValueFlags);
  if (verb === undefined) return undefined;
  if (kubectlMutating.has(verb)) return `kubectl ${verb} changes the cluster or reaches into a pod`;
  if (verb === 'rollout' && kubectlRolloutMutating.has(sub ?? ''))
    return `kubectl rollout ${sub} changes the cluster`;
  if (verb === 'certificate' && kubectlCertificateMutating.has(sub ?? ''))
    return `kubectl certificate ${sub} changes the cluster`;
  return undefined;
}

function judgeHelm(words) {
  const [verb] = positionals(words, helmValueFlags);
  return verb !== undefined && helmMutating.has(verb) ? `helm ${verb} changes the cluster` : undefined;
}

/** Why `kubectl <args>` is refused, or undefined (for the kubectl guard, which gets the words already split). */
export function judgeKubectlArguments(args) {
  const reason = judgeKubectl(args);
  return reason ? `${reason}; this run is read-only (Watchkeeper's deny policy)` : undefined;
}

/** Why a shell command is refused, or undefined when it may run. */
export function judgeCommand(command) {
  if (typeof command !== 'string') return undefined;
  for (const words of simpleCommands(command)) {
    for (let i = 0; i < words.length; i += 1) {
      const name = words[i].split('/').pop();
      const reason =
        name === 'kubectl' || name === 'oc'
          ? judgeKubectl(words.slice(i + 1))
          : name === 'helm'
            ? judgeHelm(words.slice(i + 1))
            : undefined;
      if (reason) return `${reason}; this run is read-only (Watchkeeper's deny policy)`;
    }
  }
  return undefined;
}

/** Why writing `path` is refused (outside the workspace), or undefined. */
export function judgeWrite(path, workspace) {
  if (typeof path !== 'string' || path === '') return undefined;
  const absolute = path.startsWith('/') ? path : `${workspace}/${path}`;
  const parts = [];
  for (const part of absolute.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  const normalized = `/${parts.join('/')}`;
  const root = workspace.replace(/\/+$/, '');
  return normalized === root || normalized.startsWith(`${root}/`)
    ? undefined
    : `writing ${path} is outside the run's workspace; this run may only write there (Watchkeeper's deny policy)`;
}
