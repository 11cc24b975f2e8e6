/**
 * The Job a triage runs in, as Watchkeeper creates it, on a real kubelet + containerd + runc node in the agent
 * image: a probe inside the pod reports what the kernel and the apiserver allow it. What an attacker who took
 * over the agent would try first: become root, write outside the workspace, use a capability, read the
 * ServiceAccount token or the cluster's Secrets, change the cluster.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { podPaths, podSecretFiles } from '../../runners/pod/pod-run-spec.ts';
import { runKubeconfig } from '../../runners/tokens/run-kubeconfig.ts';
import { mintRunToken, type RunToken } from '../../runners/tokens/run-token.ts';
import {
  applyManifests,
  createNamespace,
  deleteNamespace,
  kubeClient,
  type KubeClient,
} from '../harness/kube-helpers.ts';
import { harness } from '../harness/use.ts';
import { onRealNodeJob, runJobToEnd, type FinishedJob } from './real-node-job.ts';

const list = JSON.parse(
  readFileSync(new URL('../../deploy/docker/agent-image.json', import.meta.url), 'utf8'),
) as { tools: { name: string; version: string }[] };
const pinned = (tool: string) => list.tools.find((t) => t.name === tool)?.version ?? `no pin for ${tool}`;

const tokenSettings = { namespace: 'watchkeeper-system', serviceAccount: 'watchkeeper-triage' };

/**
 * Each probe prints one JSON line `{ name, rc, out }` (jq is in the image). Runs as the image's user under the
 * Job's securityContext; `set -e` is off on purpose: the failures are the findings.
 */
const probeScript = (namespace: string) => `
probe() { local name="$1"; shift; local out; out="$("$@" 2>&1)"; local rc=$?; jq -cn --arg name "$name" --arg out "$out" --argjson rc $rc '{probe:$name,rc:$rc,out:$out}'; }
export KUBECONFIG=${podPaths.secrets}/${podSecretFiles.kubeconfig}
probe uid id -u
probe gid id -g
probe groups id -G
probe write-root touch /probe
probe write-var-tmp touch /var/tmp/probe
probe write-etc sh -c 'echo x >> /etc/passwd'
probe write-opt touch /opt/watchkeeper/runners/hooks/deny-policy.mjs
probe write-usr-bin cp /bin/true /usr/local/bin/kubectl
probe write-workspace sh -c 'echo ok > ${podPaths.workspace}/probe && cat ${podPaths.workspace}/probe'
probe write-tmp sh -c 'echo ok > /tmp/probe && cat /tmp/probe'
probe status grep -E '^(CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs|Seccomp):' /proc/self/status
probe memory-limit sh -c 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max'
probe cpu-limit sh -c 'cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us /sys/fs/cgroup/cpu/cpu.cfs_period_us 2>/dev/null || cat /sys/fs/cgroup/cpu.max'
probe sa-token ls /var/run/secrets/kubernetes.io/serviceaccount
probe read-kubeconfig test -r "$KUBECONFIG"
probe secrets-files ls ${podPaths.secrets}
probe get-pods kubectl get pods -n ${namespace} -o name
probe get-secrets kubectl get secrets -n ${namespace}
probe get-secrets-system kubectl get secrets -n watchkeeper-system
probe delete-pod kubectl delete pod -n ${namespace} --all --wait=false
probe exec-pod kubectl auth can-i create pods/exec -n ${namespace}
probe setuid-su su -c id root
probe claude claude --version
probe codex codex --version
probe gemini gemini --version
probe goose goose --version
probe mcp kubernetes-mcp-server --version
probe node node --version
probe skills ls /opt/watchkeeper/skills/kubernetes-triage/SKILL.md /opt/watchkeeper/prompts/triage.md /opt/watchkeeper/runners/hooks/guard-tool.mjs
`;

interface Probe {
  readonly probe: string;
  readonly rc: number;
  readonly out: string;
}

describe('a triage Job on the real node, probed from inside its pod', () => {
  const node = harness('node');
  let admin: KubeClient;
  let namespace: string;
  let token: RunToken;
  let job: FinishedJob;
  let probes: Map<string, Probe>;
  const probe = (name: string): Probe => {
    const found = probes.get(name);
    if (!found) throw new Error(`probe ${name} printed nothing; the pod log was:\n${job.log}`);
    return found;
  };

  beforeAll(async () => {
    admin = kubeClient(harness('kube').kubeconfigPath);
    await applyManifests(admin, [
      await readFile(new URL('../../deploy/rbac/triage-readonly.yaml', import.meta.url), 'utf8'),
    ]);
    namespace = await createNamespace(admin, 'jobs-hardening');
    const runId = `hardening-${Date.now().toString(36)}`;
    token = await mintRunToken(admin.config, tokenSettings, {
      id: runId,
      deadline: new Date(Date.now() + 10 * 60_000),
    });
    job = await runJobToEnd(
      admin.config,
      onRealNodeJob(node, {
        name: `wk-run-${runId}`,
        namespace,
        runId,
        incidentId: 'inc-hardening',
        command: ['/bin/bash', '-c', probeScript(namespace)],
        deadlineSeconds: 120,
        ttlSeconds: 600,
        resources: { cpu: '1', memory: '1Gi' },
        inputs: { 'pod-run-spec.json': '{}' },
        secretFiles: { [podSecretFiles.kubeconfig]: runKubeconfig(admin.config, token.token) },
      }),
    );
    probes = new Map(
      job.log
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Probe)
        .map((p) => [p.probe, p]),
    );
  }, 180_000);

  afterAll(async () => {
    await token.revoke();
    if (namespace) await deleteNamespace(admin, namespace);
  });

  it('ran on the real node in the agent image and finished', () => {
    expect(job.pod.spec?.nodeName).toBe(node.name);
    expect(job.pod.status?.containerStatuses?.[0]?.imageID).toBeTruthy();
    expect(job.succeeded, job.log).toBe(true);
  });

  it('runs as uid/gid 10001, not root, and cannot become root', () => {
    expect(probe('uid').out).toBe('10001');
    expect(probe('gid').out).toBe('10001');
    expect(probe('groups').out.split(' ')).not.toContain('0');
    expect(probe('setuid-su').rc).not.toBe(0);
  });

  it('cannot write outside /workspace and /tmp: the kernel answers EROFS', () => {
    // /var/tmp is world-writable (mode 1777) in the image: only the read-only root mount stops the write.
    for (const name of ['write-root', 'write-var-tmp']) {
      expect(probe(name).rc, name).not.toBe(0);
      expect(probe(name).out, name).toMatch(/Read-only file system/);
    }
    // The image's own files: root-owned, so permissions refuse first; the mount would refuse anyway.
    for (const name of ['write-etc', 'write-opt', 'write-usr-bin']) {
      expect(probe(name).rc, name).not.toBe(0);
      expect(probe(name).out, name).toMatch(/Read-only file system|Permission denied/);
    }
    expect(probe('write-workspace')).toMatchObject({ rc: 0, out: 'ok' });
    expect(probe('write-tmp')).toMatchObject({ rc: 0, out: 'ok' });
  });

  it('has no capability in any set, no new privileges, and the RuntimeDefault seccomp filter', () => {
    const status = Object.fromEntries(
      probe('status')
        .out.split('\n')
        .map((line) => line.split(/:\s+/)),
    ) as Record<string, string>;
    for (const set of ['CapInh', 'CapPrm', 'CapEff', 'CapBnd', 'CapAmb']) {
      expect(status[set], set).toBe('0000000000000000');
    }
    expect(status.NoNewPrivs).toBe('1');
    expect(status.Seccomp).toBe('2');
  });

  it('is held to its resource limits by its cgroup (1 CPU, 1 GiB)', () => {
    expect(probe('memory-limit').out).toBe(String(1024 ** 3));
    const [quota, period] = probe('cpu-limit').out.split(/\s+/).map(Number);
    expect(quota).toBe(period);
  });

  it('has no ServiceAccount token mounted, only the run kubeconfig it was given', () => {
    expect(probe('sa-token').rc).not.toBe(0);
    expect(probe('sa-token').out).toMatch(/No such file or directory/);
    expect(probe('read-kubeconfig').rc).toBe(0);
    expect(probe('secrets-files').out.split('\n')).toEqual([podSecretFiles.kubeconfig]);
  });

  it('lists pods with the minted token, and is refused Secrets, deletes and exec by RBAC', () => {
    expect(probe('get-pods')).toMatchObject({ rc: 0 });
    expect(probe('get-pods').out).toContain(`pod/${job.pod.metadata?.name ?? '?'}`);
    for (const name of ['get-secrets', 'get-secrets-system', 'delete-pod']) {
      expect(probe(name).rc, name).not.toBe(0);
      expect(probe(name).out, name).toMatch(/Forbidden|forbidden/);
    }
    expect(probe('exec-pod').out).toBe('no');
  });

  it('carries every agent CLI, the MCP server and Node 24, and they run as 10001 on a read-only root', () => {
    expect(probe('claude')).toMatchObject({ rc: 0 });
    expect(probe('claude').out).toContain(pinned('claude-code'));
    expect(probe('codex').out).toContain(pinned('codex'));
    expect(probe('gemini').out).toContain(pinned('gemini-cli'));
    expect(probe('goose').out).toContain(pinned('goose'));
    expect(probe('mcp').out).toContain(pinned('kubernetes-mcp-server'));
    for (const name of ['codex', 'gemini', 'goose', 'mcp']) expect(probe(name).rc, probe(name).out).toBe(0);
    expect(probe('node').out).toMatch(/^v24\./);
    expect(probe('skills').rc, probe('skills').out).toBe(0);
  });
});
