/**
 * The bubblewrap command line for one local run: its own user, mount, PID, IPC and UTS namespaces (and network
 * when asked), only the workspace writable, a private /tmp, a fresh /proc, and the run's processes all killed
 * when the sandbox's first process ends or bwrap (or Watchkeeper) dies. As root, bwrap sets the sandbox up
 * privileged, then `setpriv` drops to the configured unprivileged user and an inner bwrap gives it its own
 * user namespace, so its files and processes are really that user's (a user namespace created by root alone
 * would map the agent back to root on the host).
 */
import type { LocalSandbox } from './local-sandbox.ts';
import { systemMounts, toolMounts, type Mount } from './sandbox-mounts.ts';

export type BubblewrapSettings = Extract<LocalSandbox, { kind: 'bubblewrap' }>;

export interface BubblewrapRun {
  readonly workspace: string;
  readonly command: string;
  readonly args: readonly string[];
  /** Tools the run starts besides its command (kubectl, the MCP server): their install folders are shown. */
  readonly tools: readonly string[];
  /** Other host paths the run reads (Watchkeeper's hooks, node's install, files named in the arguments). */
  readonly readOnlyPaths: readonly string[];
  /** The PATH the agent gets, for finding the tools. */
  readonly path: string | undefined;
}

export interface BubblewrapCommand {
  /** `bwrap`'s own argv: `--args 3 -- <command…>`, so the sandbox's /proc shows no host paths it mounts. */
  readonly argv: readonly string[];
  /** The options (namespaces, mounts), NUL-separated, for file descriptor 3. */
  readonly argsOnFd: string;
  /** The same arguments as a list (for the start-up probe, which passes them directly). */
  readonly inside: readonly string[];
}

const mountArgs = (mount: Mount): string[] =>
  mount.kind === 'symlink'
    ? ['--symlink', mount.target, mount.link]
    : [mount.kind === 'ro' ? '--ro-bind' : '--bind', mount.source, mount.target];

/**
 * bwrap creates a mount point's missing parents as 0700 directories, which the unprivileged user could not
 * traverse: each parent is made first with `--dir` (0755), outside anything already mounted.
 */
function withParents(mounts: readonly Mount[]): string[] {
  const made = new Set<string>(['/', '/tmp']);
  const mounted: string[] = ['/proc', '/dev'];
  const args: string[] = [];
  const inMounted = (dir: string) => mounted.some((m) => dir === m || dir.startsWith(`${m}/`));
  for (const mount of mounts) {
    const target = mount.kind === 'symlink' ? mount.link : mount.target;
    const parts = target.split('/').filter(Boolean);
    for (let i = 1; i < parts.length; i += 1) {
      const dir = `/${parts.slice(0, i).join('/')}`;
      if (made.has(dir) || inMounted(dir)) continue;
      made.add(dir);
      args.push('--dir', dir);
    }
    args.push(...mountArgs(mount));
    mounted.push(target);
  }
  return args;
}

export const runningAsRoot = () => process.getuid?.() === 0;

export function bubblewrapCommand(settings: BubblewrapSettings, run: BubblewrapRun): BubblewrapCommand {
  const root = runningAsRoot();
  const namespaces = [
    ...(root ? [] : ['--unshare-user']),
    '--unshare-pid',
    '--unshare-ipc',
    '--unshare-uts',
    '--unshare-cgroup-try',
    ...(settings.network === 'none' ? ['--unshare-net'] : []),
  ];
  const tools = [run.command, ...run.tools, ...(root ? ['setpriv', 'bwrap'] : [])];
  const mounts: Mount[] = [
    ...systemMounts(),
    ...toolMounts(tools, [...run.readOnlyPaths, ...settings.readOnlyPaths], run.path),
    { kind: 'rw', source: run.workspace, target: run.workspace },
  ];
  const setup = [
    ...namespaces,
    '--die-with-parent',
    '--hostname',
    'watchkeeper-run',
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    '--perms',
    '1777',
    '--tmpfs',
    '/tmp',
    ...withParents(mounts),
    '--chdir',
    run.workspace,
  ];
  const command = [...(root ? dropPrivileges(settings, run.workspace) : []), run.command, ...run.args];
  return {
    argv: ['--args', '3', '--', ...command],
    argsOnFd: setup.map((arg) => `${arg}\0`).join(''),
    inside: [...setup, '--', ...command],
  };
}

/** To the configured user, no capabilities, no way back; then a user namespace of that user's own. */
function dropPrivileges(settings: BubblewrapSettings, workspace: string): string[] {
  const uid = String(settings.uid);
  const gid = String(settings.gid);
  return [
    'setpriv',
    `--reuid=${uid}`,
    `--regid=${gid}`,
    '--clear-groups',
    '--inh-caps=-all',
    '--bounding-set=-all',
    '--no-new-privs',
    '--',
    'bwrap',
    '--unshare-user',
    '--uid',
    uid,
    '--gid',
    gid,
    '--dev-bind',
    '/',
    '/',
    '--chdir',
    workspace,
    '--',
  ];
}

/** The probe run at start: the same sandbox shape around `true`. */
export function probeCommand(settings: BubblewrapSettings, workspace: string): BubblewrapCommand {
  return bubblewrapCommand(settings, {
    workspace,
    command: 'true',
    args: [],
    tools: [],
    readOnlyPaths: [],
    path: '/usr/bin:/bin',
  });
}
