/**
 * What the real node does to the host outside its own folder, in one place so the harness can undo it: the
 * kernel settings the kubelet always writes, the fixed paths kubelet and containerd 1.6 use whatever their
 * folders say, and the cgroups, mounts, bridge and shim processes a run leaves behind.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { lstat, mkdir, readdir, readFile, readlink, rm, rmdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { isAlive } from '../../../runners/local/process-group.ts';

const run = promisify(execFile);

/**
 * The kubelet's container manager sets these at start whatever it is told (`protectKernelDefaults: true` makes
 * it refuse to start instead): recorded before the first start and written back on stop.
 */
export const kubeletSysctls = [
  'vm/overcommit_memory',
  'vm/panic_on_oom',
  'kernel/panic',
  'kernel/panic_on_oops',
  'kernel/keys/root_maxkeys',
  'kernel/keys/root_maxbytes',
] as const;

export type SysctlValues = Record<string, string>;

export async function readSysctls(): Promise<SysctlValues> {
  const values: SysctlValues = {};
  for (const key of kubeletSysctls) {
    values[key] = (await readFile(`/proc/sys/${key}`, 'utf8')).trim();
  }
  return values;
}

/** Writes back what was recorded; returns the settings that differed (so the log says what was restored). */
export async function restoreSysctls(recorded: SysctlValues): Promise<string[]> {
  const restored: string[] = [];
  for (const [key, value] of Object.entries(recorded)) {
    const now = (await readFile(`/proc/sys/${key}`, 'utf8').catch(() => '')).trim();
    if (now === value) continue;
    await writeFile(`/proc/sys/${key}`, `${value}\n`);
    restored.push(`${key.replaceAll('/', '.')}=${value} (was ${now})`);
  }
  return restored;
}

/**
 * Host paths the kubelet and containerd write regardless of their configured folders. Which of them existed
 * before the first start is recorded so stop removes only what the node created.
 */
export const fixedHostPaths = [
  '/var/lib/kubelet/device-plugins',
  '/var/lib/kubelet',
  '/var/log/containers',
  '/var/log/pods',
  '/run/containerd/s',
  '/run/containerd/fifo',
  '/run/containerd/runc',
  '/run/containerd',
  '/var/lib/cni/results',
  '/var/lib/cni',
] as const;

export function existingHostPaths(): string[] {
  return fixedHostPaths.filter((path) => existsSync(path));
}

/** Tools the kubelet must not find: with iptables on its PATH it installs KUBE-FIREWALL rules and nft tables. */
const packetFilterTools = /^(ip6?tables|iptables|ebtables|arptables|xtables|nft)/;

/**
 * A PATH for the kubelet and containerd: the usual folders, but /usr/sbin only through a folder of links that
 * leaves out the packet-filter tools (iptables is installed on these machines for other reasons).
 */
export async function pathWithoutIptables(dir: string): Promise<string> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  for (const folder of ['/usr/local/sbin', '/usr/sbin', '/sbin']) {
    let names: string[];
    try {
      names = await readdir(folder);
    } catch {
      continue;
    }
    for (const name of names) {
      if (packetFilterTools.test(name) || existsSync(join(dir, name))) continue;
      await symlink(join(folder, name), join(dir, name));
    }
  }
  const path = ['/usr/local/bin', '/usr/bin', dir].join(':');
  for (const folder of path.split(':')) {
    if (['iptables', 'ip6tables', 'nft'].some((tool) => existsSync(join(folder, tool))) && folder !== dir) {
      throw new Error(
        `harness: ${folder} holds iptables/nft; the real node's PATH must not (see real-node.md)`,
      );
    }
  }
  return path;
}

/** The command line of a live process, or undefined; checked before signalling a recorded pid. */
export function commandLine(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
  } catch {
    return undefined;
  }
}

/** Live processes whose command line contains `marker` (our containerd socket path identifies our shims). */
export function processesMentioning(marker: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    if (commandLine(pid)?.includes(marker)) pids.push(pid);
  }
  return pids;
}

/** SIGTERM, then SIGKILL after `graceMs`, to pids whose command line still contains `marker`. */
export async function stopVerified(pids: readonly number[], marker: string, graceMs = 10_000): Promise<void> {
  const ours = pids.filter((pid) => commandLine(pid)?.includes(marker));
  for (const pid of ours) process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (ours.some(isAlive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  for (const pid of ours) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
}

/** Unmounts every mount point under `root`, deepest first (the kubelet bind-mounts its root dir, pods' volumes, netns). */
export async function unmountUnder(root: string): Promise<number> {
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4]?.replaceAll('\\040', ' '))
    .filter(
      (point): point is string => point !== undefined && (point === root || point.startsWith(`${root}/`)),
    )
    .sort((a, b) => b.length - a.length);
  for (const point of mounts) {
    await run('umount', ['-l', point]).catch(() => undefined);
  }
  return mounts.length;
}

/** Removes cgroup folders the kubelet made (`kubepods` under every v1 hierarchy and the unified one), depth first. */
export async function removeKubeletCgroups(): Promise<number> {
  let removed = 0;
  const removeTree = async (dir: string): Promise<void> => {
    let entries: string[];
    try {
      entries = await readdir(dir);
    } catch {
      return;
    }
    for (const entry of entries) {
      const child = join(dir, entry);
      if ((await lstat(child).catch(() => undefined))?.isDirectory()) await removeTree(child);
    }
    // A cgroup folder goes with rmdir once it has no processes and no child cgroups; its files go with it.
    await rmdir(dir)
      .then(() => (removed += 1))
      .catch(() => undefined);
  };
  for (const hierarchy of await readdir('/sys/fs/cgroup').catch(() => [] as string[])) {
    await removeTree(join('/sys/fs/cgroup', hierarchy, 'kubepods'));
  }
  return removed;
}

export async function deleteLink(name: string): Promise<boolean> {
  if (!existsSync(`/sys/class/net/${name}`)) return false;
  await run('ip', ['link', 'del', name]);
  return true;
}

/**
 * Removes what the node left in the fixed host paths: /var/log/containers links into our pod logs, CNI results
 * of our network, shim sockets once no containerd shim runs; and the fixed folders themselves when they did not
 * exist before the first start.
 */
export async function cleanFixedPaths(options: {
  readonly preexisting: readonly string[];
  readonly podLogsDir: string;
  readonly cniNetwork: string;
}): Promise<void> {
  for (const name of await readdir('/var/log/containers').catch(() => [] as string[])) {
    const link = join('/var/log/containers', name);
    const target = await readlink(link).catch(() => '');
    if (target.startsWith(options.podLogsDir)) await rm(link, { force: true });
  }
  for (const name of await readdir('/var/lib/cni/results').catch(() => [] as string[])) {
    if (name.startsWith(`${options.cniNetwork}-`))
      await rm(join('/var/lib/cni/results', name), { force: true });
  }
  // Sockets and fifos there are dead once no containerd or shim runs; other fixed folders go only when empty.
  const containerdRunning = processesMentioning('containerd').length > 0;
  const removeWithContents = [
    '/var/lib/kubelet/device-plugins',
    '/run/containerd/s',
    '/run/containerd/fifo',
    '/run/containerd/runc',
  ];
  for (const path of fixedHostPaths) {
    if (options.preexisting.includes(path)) continue;
    if (removeWithContents.includes(path)) {
      if (path.startsWith('/run/containerd/') && containerdRunning) continue;
      await rm(path, { recursive: true, force: true });
      continue;
    }
    await rmdir(path).catch(() => undefined);
  }
}
