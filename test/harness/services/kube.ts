/**
 * A real Kubernetes control plane without Docker or kubelets: etcd, kube-apiserver, kube-controller-manager and
 * kube-scheduler built from their Go modules, and kwok playing the kubelet of a few fake nodes. Deployments,
 * ReplicaSets, Jobs, scheduling and rollouts behave as in a real cluster; pods become Running through kwok Stages.
 */
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { binaries, freePort, log, reuseOrStart, serviceDir, spawnDetached, waitUntil } from '../process.ts';
import { applyManifests, fakeNodeNames, kubeClient, createFakeNodes } from '../kube-helpers.ts';
import { ensureClusterPki, type ClusterPki } from './kube-certs.ts';

export interface KubeInfo {
  /** Admin kubeconfig (group system:masters). */
  readonly kubeconfigPath: string;
  readonly server: string;
  /** Names of the kwok-managed fake nodes, all Ready. */
  readonly nodes: readonly string[];
  /**
   * The apiserver flag set it was started with. A running instance with another (or none: started by older
   * harness code, e.g. without the kubelet client flags the real node needs) is restarted, not reused.
   */
  readonly flagSet?: string;
}

/** Bump when the apiserver's flags change in a way a reused instance must pick up. */
const apiserverFlagSet = 'kubelet-client-1';

function writeKubeconfig(path: string, server: string, pki: ClusterPki): Promise<void> {
  const kubeconfig = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'harness', cluster: { server, 'certificate-authority': pki.caCert } }],
    users: [{ name: 'admin', user: { 'client-certificate': pki.adminCert, 'client-key': pki.adminKey } }],
    contexts: [{ name: 'harness', context: { cluster: 'harness', user: 'admin' } }],
    'current-context': 'harness',
  };
  return writeFile(path, stringify(kubeconfig), { mode: 0o600 });
}

async function getWithClientCert(url: string, pki: ClusterPki): Promise<number> {
  const [ca, cert, key] = await Promise.all(
    [pki.caCert, pki.adminCert, pki.adminKey].map((f) => readFile(f)),
  );
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, cert, key, timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end();
  });
}

async function probe(info: KubeInfo): Promise<boolean> {
  if (info.flagSet !== apiserverFlagSet) {
    log('kube: the running apiserver was started with an older flag set; restarting it');
    return false;
  }
  const pki = await ensureClusterPki(join(serviceDir('kube'), 'pki'));
  return (await getWithClientCert(`${info.server}/readyz`, pki)) === 200;
}

export async function ensureKube(): Promise<KubeInfo> {
  return reuseOrStart<KubeInfo>('kube', probe, async () => {
    const bin = binaries();
    const dir = serviceDir('kube');
    const pki = await ensureClusterPki(join(dir, 'pki'));
    const [etcdPort, etcdPeerPort, apiPort] = [await freePort(), await freePort(), await freePort()];
    const pids: number[] = [];
    const etcdUrl = `http://127.0.0.1:${etcdPort}`;
    const peerUrl = `http://127.0.0.1:${etcdPeerPort}`;
    const server = `https://127.0.0.1:${apiPort}`;
    const kubeconfigPath = join(dir, 'admin.kubeconfig');
    await mkdir(dir, { recursive: true });
    await writeKubeconfig(kubeconfigPath, server, pki);

    // A fresh etcd every start: the cluster is disposable and stale objects would leak between runs.
    const etcdLog = join(dir, 'etcd.log');
    await rm(join(dir, 'etcd'), { recursive: true, force: true });
    const etcdData = join(dir, 'etcd');
    const etcdPid = spawnDetached(
      bin.etcd,
      [
        '--name=harness',
        `--data-dir=${etcdData}`,
        `--listen-client-urls=${etcdUrl}`,
        `--advertise-client-urls=${etcdUrl}`,
        `--listen-peer-urls=${peerUrl}`,
        `--initial-advertise-peer-urls=${peerUrl}`,
        `--initial-cluster=harness=${peerUrl}`,
        '--unsafe-no-fsync',
        '--log-level=warn',
      ],
      { logFile: etcdLog },
    );
    pids.push(etcdPid);
    await waitUntil('etcd', async () => (await fetch(`${etcdUrl}/health`)).ok, {
      timeoutMs: 30_000,
      logFile: etcdLog,
      pid: etcdPid,
    });

    const apiLog = join(dir, 'kube-apiserver.log');
    const apiPid = spawnDetached(
      bin.kubeApiserver,
      [
        `--etcd-servers=${etcdUrl}`,
        `--secure-port=${apiPort}`,
        '--bind-address=127.0.0.1',
        '--advertise-address=127.0.0.1',
        `--tls-cert-file=${pki.serverCert}`,
        `--tls-private-key-file=${pki.serverKey}`,
        `--client-ca-file=${pki.caCert}`,
        '--service-cluster-ip-range=10.0.0.0/24',
        '--authorization-mode=Node,RBAC',
        '--allow-privileged=true',
        '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
        `--service-account-key-file=${pki.serviceAccountPub}`,
        `--service-account-signing-key-file=${pki.serviceAccountKey}`,
        // Pods are created before the namespace's default ServiceAccount exists; kwok runs no containers anyway.
        '--disable-admission-plugins=ServiceAccount',
        // The real node's kubelet (services/real-node.ts): logs/exec reach it on loopback through its
        // Hostname address (localhost); the apiserver authenticates with a system:masters client certificate.
        `--kubelet-client-certificate=${pki.kubeletClientCert}`,
        `--kubelet-client-key=${pki.kubeletClientKey}`,
        `--kubelet-certificate-authority=${pki.caCert}`,
        '--kubelet-preferred-address-types=Hostname,InternalIP',
        '--v=1',
      ],
      { logFile: apiLog },
    );
    pids.push(apiPid);
    await waitUntil(
      'kube-apiserver',
      async () => (await getWithClientCert(`${server}/readyz`, pki)) === 200,
      {
        timeoutMs: 90_000,
        logFile: apiLog,
        pid: apiPid,
      },
    );

    const controlPlaneArgs = [`--kubeconfig=${kubeconfigPath}`, '--leader-elect=false', '--v=1'];
    pids.push(
      spawnDetached(
        bin.kubeControllerManager,
        [
          ...controlPlaneArgs,
          `--authentication-kubeconfig=${kubeconfigPath}`,
          `--authorization-kubeconfig=${kubeconfigPath}`,
          '--bind-address=127.0.0.1',
          `--secure-port=${await freePort()}`,
          `--service-account-private-key-file=${pki.serviceAccountKey}`,
          `--root-ca-file=${pki.caCert}`,
          '--controllers=*,-nodeipam',
          '--concurrent-deployment-syncs=10',
          '--concurrent-replicaset-syncs=10',
        ],
        { logFile: join(dir, 'kube-controller-manager.log') },
      ),
      spawnDetached(
        bin.kubeScheduler,
        [
          ...controlPlaneArgs,
          `--authentication-kubeconfig=${kubeconfigPath}`,
          `--authorization-kubeconfig=${kubeconfigPath}`,
          '--bind-address=127.0.0.1',
          `--secure-port=${await freePort()}`,
        ],
        { logFile: join(dir, 'kube-scheduler.log') },
      ),
    );

    const client = kubeClient(kubeconfigPath);
    const stageFiles = (await readdir(bin.kwokStages)).filter((f) => f.endsWith('.yaml')).sort();
    await applyManifests(client, [await readFile(bin.kwokStageCrd, 'utf8')]);
    await waitUntil('kwok Stage CRD', () => client.stagesServed(), { timeoutMs: 30_000 });
    await applyManifests(
      client,
      await Promise.all(stageFiles.map((f) => readFile(join(bin.kwokStages, f), 'utf8'))),
    );

    const kwokLog = join(dir, 'kwok.log');
    const kwokPid = spawnDetached(
      bin.kwok,
      [
        `--kubeconfig=${kubeconfigPath}`,
        '--enable-crds=Stage',
        '--manage-all-nodes=false',
        '--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake',
        '--manage-nodes-with-label-selector=',
        '--manage-single-node=',
        '--cidr=10.0.0.0/16',
        '--node-ip=10.0.0.1',
        `--server-address=127.0.0.1:${await freePort()}`,
      ],
      { logFile: kwokLog },
    );
    pids.push(kwokPid);
    await createFakeNodes(client, fakeNodeNames);
    await waitUntil('kwok fake nodes Ready', () => client.nodesReady(fakeNodeNames), {
      timeoutMs: 60_000,
      logFile: kwokLog,
      pid: kwokPid,
    });
    return { info: { kubeconfigPath, server, nodes: fakeNodeNames, flagSet: apiserverFlagSet }, pids };
  });
}
