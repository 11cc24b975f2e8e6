/**
 * A real node in the test cluster, next to the kwok nodes: Debian's containerd 1.6 and runc with a kubelet
 * built from the same Kubernetes modules as the apiserver, joined to the harness apiserver. Its containers
 * really run (images built locally, no registry), so tests see the kubelet's real dynamics: crash-loop
 * back-off, kernel OOM kills, image pull back-off, probes. Labelled and tainted so only tests that ask for it
 * land there. One real node per machine (kubelet and containerd use some fixed host paths); it owns and undoes
 * every host side effect (real-node-host.ts). The README's Testing section says what it needs.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { isAlive } from '../../../runners/local/process-group.ts';
import { kubeClient, type KubeClient } from '../kube-helpers.ts';
import {
  binaries,
  cacheRoot,
  clearState,
  freePort,
  log,
  readState,
  serviceDir,
  spawnDetached,
  waitUntil,
  withLock,
  writeState,
} from '../process.ts';
import { ensureClusterPki, realNodeName, type ClusterPki } from './kube-certs.ts';
import type { KubeInfo } from './kube.ts';
import {
  bridgeName,
  cniConfig,
  cniNetwork,
  containerdConfig,
  crashLoopMaxBackOff,
  kubeletConfig,
  kubeletKubeconfig,
  nodeImages,
  nodePaths,
  realNodeLabel,
  realNodeTaint,
  type NodePaths,
} from './real-node-config.ts';
import {
  cleanFixedPaths,
  commandLine,
  deleteLink,
  existingHostPaths,
  pathWithoutIptables,
  processesMentioning,
  readSysctls,
  removeKubeletCgroups,
  restoreSysctls,
  stopVerified,
  unmountUnder,
  type SysctlValues,
} from './real-node-host.ts';

const run = promisify(execFile);

export interface RealNodeInfo {
  readonly name: string;
  /** Pods for the real node select this label and tolerate the taint. */
  readonly label: { readonly key: string; readonly value: string };
  readonly taint: { readonly key: string; readonly value: string; readonly effect: string };
  readonly images: typeof nodeImages;
  /**
   * The agent image triage Jobs run (deploy/docker/agent.Dockerfile's steps built with buildah, tagged with the
   * hash of what went in); undefined when the machine could not build it (build-binaries.sh says why).
   */
  readonly agentImage?: string;
  /** The kubelet's cap on crash-loop back-off (real default 5 min). */
  readonly crashLoopMaxBackOff: string;
  /** The apiserver it joined; a restarted apiserver (new port) means a restarted node. */
  readonly server: string;
  readonly containerdSocket: string;
}

interface RealNodeState {
  readonly info?: RealNodeInfo;
  readonly pids: readonly number[];
  readonly dir: string;
  /** Kernel settings as they were before the node first started; written back on stop. */
  readonly sysctls: SysctlValues;
  /** Which of the fixed host paths existed before the node first started (stop removes only the others). */
  readonly preexisting: readonly string[];
}

/** Machine-wide: which harness cache runs the real node (fixed host paths allow only one). */
const hostOwnerFile = '/run/watchkeeper-real-node.json';

function requireTools(): void {
  const missing = ['/usr/bin/containerd', '/usr/bin/containerd-shim-runc-v2', '/usr/bin/ctr']
    .filter((tool) => !existsSync(tool))
    .concat(existsSync('/usr/lib/cni/bridge') ? [] : ['/usr/lib/cni/bridge']);
  if (missing.length > 0) {
    throw new Error(
      `harness: the real node needs ${missing.join(', ')}: apt-get install containerd runc ` +
        'containernetworking-plugins buildah (or leave "node" out of WATCHKEEPER_HARNESS)',
    );
  }
  if (process.getuid?.() !== 0) throw new Error('harness: the real node needs root (kubelet, containerd)');
}

function runcPath(): string {
  for (const candidate of ['/usr/sbin/runc', '/usr/bin/runc']) if (existsSync(candidate)) return candidate;
  throw new Error('harness: runc not found (apt-get install runc)');
}

async function ctr(paths: NodePaths, args: readonly string[]): Promise<string> {
  const { stdout } = await run(
    'ctr',
    ['--address', paths.containerdSocket, '--namespace', 'k8s.io', ...args],
    {
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  return stdout;
}

async function claimHost(): Promise<void> {
  const owner = await readFile(hostOwnerFile, 'utf8')
    .then((text) => JSON.parse(text) as { cacheRoot: string; pids: number[] })
    .catch(() => undefined);
  if (owner && owner.cacheRoot !== cacheRoot && owner.pids.some(isAlive)) {
    throw new Error(
      `harness: a real node of the harness in ${owner.cacheRoot} runs on this machine (pids ` +
        `${owner.pids.join(', ')}); only one can (fixed host paths). Stop it with ` +
        `WATCHKEEPER_CACHE=${owner.cacheRoot} npm run harness:stop`,
    );
  }
}

async function recordHostOwner(pids: readonly number[]): Promise<void> {
  await writeFile(hostOwnerFile, JSON.stringify({ cacheRoot, pids }));
}

async function nodeReady(client: KubeClient): Promise<boolean> {
  const node = await client.core.readNode({ name: realNodeName });
  return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

async function healthy(state: RealNodeState, kube: KubeInfo): Promise<boolean> {
  if (state.info?.server !== kube.server) return false;
  if (state.pids.length !== 2 || !state.pids.every((pid) => commandLine(pid)?.includes(state.dir)))
    return false;
  return nodeReady(kubeClient(kube.kubeconfigPath)).catch(() => false);
}

/** Deletes the node's pods while its kubelet still runs (so the kubelet stops their containers), cordoned first. */
async function drain(client: KubeClient, timeoutMs: number): Promise<void> {
  await client.core
    .patchNode({ name: realNodeName, body: [{ op: 'replace', path: '/spec/unschedulable', value: true }] })
    .catch(() => undefined);
  const onNode = async () =>
    (await client.core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${realNodeName}` })).items;
  for (const pod of await onNode().catch(() => [])) {
    await client.core
      .deleteNamespacedPod({
        name: pod.metadata?.name ?? '',
        namespace: pod.metadata?.namespace ?? '',
        gracePeriodSeconds: 1,
      })
      .catch(() => undefined);
  }
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && (await onNode().catch(() => [])).length > 0) {
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Removes every container and sandbox containerd still has (the kubelet is stopped by now). */
async function removeContainers(paths: NodePaths): Promise<void> {
  const tasks = (await ctr(paths, ['tasks', 'ls', '-q']).catch(() => '')).split('\n').filter(Boolean);
  for (const id of tasks) await ctr(paths, ['tasks', 'kill', '--signal', 'SIGKILL', id]).catch(() => '');
  for (const id of tasks) await ctr(paths, ['tasks', 'rm', '--force', id]).catch(() => '');
  const containers = (await ctr(paths, ['containers', 'ls', '-q']).catch(() => ''))
    .split('\n')
    .filter(Boolean);
  for (const id of containers) await ctr(paths, ['containers', 'rm', id]).catch(() => '');
}

/**
 * Stops the node and undoes its host side effects, in the order the note gives: pods deleted while the kubelet
 * runs → kubelet stopped → containers removed → containerd stopped (and its shims) → mounts, cgroups, bridge,
 * fixed paths → kernel settings restored → Node object deleted.
 */
async function teardown(state: RealNodeState, kube: KubeInfo | undefined): Promise<void> {
  const paths = nodePaths(state.dir);
  const [containerdPid, kubeletPid] = state.pids;
  const client = kube ? kubeClient(kube.kubeconfigPath) : undefined;
  if (client && kubeletPid !== undefined && isAlive(kubeletPid)) await drain(client, 30_000);
  if (kubeletPid !== undefined) await stopVerified([kubeletPid], paths.kubeletConfig);
  if (containerdPid !== undefined && isAlive(containerdPid)) await removeContainers(paths);
  if (containerdPid !== undefined) await stopVerified([containerdPid], paths.containerdConfig);
  await stopVerified(processesMentioning(paths.containerdSocket), paths.containerdSocket, 5_000);
  await unmountUnder(paths.dir);
  await removeKubeletCgroups();
  await deleteLink(bridgeName).catch(() => false);
  await cleanFixedPaths({ preexisting: state.preexisting, podLogsDir: paths.podLogsDir, cniNetwork });
  const restored = await restoreSysctls(state.sysctls);
  if (restored.length > 0) log(`node: restored ${restored.join(', ')}`);
  if (client) await client.core.deleteNode({ name: realNodeName }).catch(() => undefined);
}

async function writeConfigs(paths: NodePaths, pki: ClusterPki, server: string): Promise<void> {
  // Fresh per start: no kubelet or CRI state (pods, sandboxes, IP reservations) of an earlier run survives.
  for (const dir of [
    paths.kubeletRoot,
    paths.containerdState,
    paths.cniDataDir,
    paths.runcRoot,
    paths.podLogsDir,
  ]) {
    await rm(dir, { recursive: true, force: true });
  }
  for (const dir of [
    paths.containerdRoot,
    paths.containerdState,
    paths.cniConfDir,
    paths.cniDataDir,
    paths.kubeletRoot,
    paths.kubeletCertDir,
    paths.podLogsDir,
  ]) {
    await mkdir(dir, { recursive: true });
  }
  await writeFile(paths.containerdConfig, containerdConfig(paths, runcPath()));
  await writeFile(join(paths.cniConfDir, '10-wk-real-node.conflist'), cniConfig(paths));
  await writeFile(
    paths.kubeletConfig,
    kubeletConfig(paths, pki, { kubelet: await freePort(), healthz: await freePort() }),
  );
  await writeFile(paths.kubeletKubeconfig, kubeletKubeconfig(server, pki), { mode: 0o600 });
}

async function importImages(paths: NodePaths, imagesDir: string): Promise<void> {
  const archives = (await readdir(imagesDir)).filter((f) => f.endsWith('.tar'));
  for (const archive of archives) await ctr(paths, ['images', 'import', join(imagesDir, archive)]);
  const present = await ctr(paths, ['images', 'ls', '-q']);
  const missing = Object.values(nodeImages).filter((image) => !present.includes(image));
  if (missing.length > 0) throw new Error(`harness: node images missing after import: ${missing.join(', ')}`);
}

/**
 * Imports the agent image when containerd does not have this build of it yet (a 1.5 GB archive: seconds to a
 * minute), and removes its older builds. Runs on every harness start, so a rebuilt image reaches a running node.
 */
async function importAgentImage(paths: NodePaths): Promise<string | undefined> {
  const image = binaries().agentImage;
  if (!image?.archive || !existsSync(image.archive)) return undefined;
  const present = (await ctr(paths, ['images', 'ls', '-q'])).split('\n').filter(Boolean);
  if (!present.includes(image.name)) {
    const started = Date.now();
    await ctr(paths, ['images', 'import', image.archive]);
    log(`node: imported ${image.name} in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  }
  const repository = image.name.slice(0, image.name.lastIndexOf(':') + 1);
  const older = present.filter((name) => name.startsWith(repository) && name !== image.name);
  if (older.length > 0) await ctr(paths, ['images', 'rm', ...older]).catch(() => '');
  return image.name;
}

async function start(kube: KubeInfo, previous: RealNodeState | undefined): Promise<RealNodeInfo> {
  requireTools();
  const bin = binaries();
  if (!bin.kubelet || !bin.nodeImages || !existsSync(bin.kubelet) || !existsSync(bin.nodeImages)) {
    throw new Error(
      'harness: the kubelet or the node images are not built: run bash test/harness/build-binaries.sh ' +
        '(needs buildah and gcc for the images)',
    );
  }
  const dir = serviceDir('node');
  const paths = nodePaths(dir);
  const pki = await ensureClusterPki(join(serviceDir('kube'), 'pki'));
  // Recorded before anything runs, and kept from an earlier record: a node that died without a stop must not
  // make the kubelet's values look like the machine's own.
  const base: RealNodeState = {
    pids: [],
    dir,
    sysctls: previous?.sysctls ?? (await readSysctls()),
    preexisting: previous?.preexisting ?? existingHostPaths(),
  };
  await writeState('node', base);
  await writeConfigs(paths, pki, kube.server);
  const path = await pathWithoutIptables(paths.pathDir);

  const containerdLog = join(dir, 'containerd.log');
  await writeFile(containerdLog, '');
  const containerdPid = spawnDetached('/usr/bin/containerd', ['--config', paths.containerdConfig], {
    logFile: containerdLog,
    env: { PATH: path },
  });
  await writeState('node', { ...base, pids: [containerdPid] });
  await recordHostOwner([containerdPid]);
  await waitUntil('containerd', async () => (await ctr(paths, ['version'])).includes('Server'), {
    timeoutMs: 30_000,
    logFile: containerdLog,
    pid: containerdPid,
  });
  await importImages(paths, bin.nodeImages);
  const agentImage = await importAgentImage(paths);

  const kubeletLog = join(dir, 'kubelet.log');
  await writeFile(kubeletLog, '');
  const kubeletPid = spawnDetached(
    bin.kubelet,
    [
      `--config=${paths.kubeletConfig}`,
      `--kubeconfig=${paths.kubeletKubeconfig}`,
      `--root-dir=${paths.kubeletRoot}`,
      `--cert-dir=${paths.kubeletCertDir}`,
      `--hostname-override=${realNodeName}`,
      `--node-labels=${realNodeLabel.key}=${realNodeLabel.value}`,
      '--v=2',
    ],
    { logFile: kubeletLog, env: { PATH: path } },
  );
  const pids = [containerdPid, kubeletPid];
  await writeState('node', { ...base, pids });
  await recordHostOwner(pids);
  const client = kubeClient(kube.kubeconfigPath);
  await waitUntil('real node Ready', () => nodeReady(client), {
    timeoutMs: 60_000,
    logFile: kubeletLog,
    pid: kubeletPid,
  });
  // A node kept from before a stop may still be cordoned by the drain.
  await client.core.patchNode({
    name: realNodeName,
    body: [{ op: 'replace', path: '/spec/unschedulable', value: false }],
  });
  const info: RealNodeInfo = {
    name: realNodeName,
    label: realNodeLabel,
    taint: realNodeTaint,
    images: nodeImages,
    ...(agentImage && { agentImage }),
    crashLoopMaxBackOff,
    server: kube.server,
    containerdSocket: paths.containerdSocket,
  };
  await writeState('node', { ...base, pids, info });
  return info;
}

/** Starts the real node against the running harness apiserver, or reuses it when it is up and joined to it. */
export async function ensureRealNode(kube: KubeInfo): Promise<RealNodeInfo> {
  return withLock('node', async () => {
    await claimHost();
    const state = await readState<RealNodeState>('node');
    if (state?.info && (await healthy(state, kube))) {
      log('node: reusing the running real node');
      const agentImage = await importAgentImage(nodePaths(state.dir));
      const { agentImage: _previous, ...rest } = state.info;
      const info: RealNodeInfo = { ...rest, ...(agentImage && { agentImage }) };
      if (info.agentImage !== state.info.agentImage) await writeState('node', { ...state, info });
      return info;
    }
    if (state) {
      log('node: the recorded real node is gone or joined to another apiserver; cleaning up after it');
      await teardown(state, kube);
    }
    const started = Date.now();
    log('node: starting containerd and the kubelet...');
    try {
      const info = await start(kube, state);
      log(`node: ${info.name} Ready in ${((Date.now() - started) / 1000).toFixed(1)}s`);
      return info;
    } catch (error) {
      const failed = await readState<RealNodeState>('node');
      if (failed) await teardown(failed, kube).catch(() => undefined);
      await clearState('node');
      await rm(hostOwnerFile, { force: true });
      throw error;
    }
  });
}

/** `npm run harness:stop`: stops the real node and restores the host. */
export async function stopRealNode(kube: KubeInfo | undefined): Promise<boolean> {
  return withLock('node', async () => {
    const state = await readState<RealNodeState>('node');
    if (!state) return false;
    await teardown(state, kube);
    await clearState('node');
    await rm(hostOwnerFile, { force: true });
    return true;
  });
}
