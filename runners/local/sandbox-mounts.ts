/**
 * What a bubblewrap sandbox shows of the host: system folders read-only, the few /etc files programs need
 * (never /etc as a whole: configurations live there), and the install folders of the tools a run uses (the
 * agent CLI, node, kubectl, the MCP server, Watchkeeper's hooks), found from their paths.
 */
import { existsSync, lstatSync, readlinkSync, realpathSync } from 'node:fs';
import { delimiter, dirname, isAbsolute, join, sep } from 'node:path';

/** Whole system folders, read-only. On merged-/usr systems the top-level ones are symlinks, kept as such. */
export const systemDirs = ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'] as const;

/** What in /etc a CLI, node, a shell, DNS and TLS need: no configuration of anything else. */
export const etcEntries = [
  '/etc/alternatives',
  '/etc/ssl',
  '/etc/ca-certificates',
  '/etc/pki',
  '/etc/crypto-policies',
  '/etc/ld.so.cache',
  '/etc/ld.so.conf',
  '/etc/ld.so.conf.d',
  '/etc/resolv.conf',
  '/etc/hosts',
  '/etc/nsswitch.conf',
  '/etc/host.conf',
  '/etc/gai.conf',
  '/etc/services',
  '/etc/protocols',
  '/etc/passwd',
  '/etc/group',
  '/etc/localtime',
  '/etc/timezone',
  '/etc/os-release',
  '/etc/mime.types',
] as const;

export type Mount =
  | { readonly kind: 'ro' | 'rw'; readonly source: string; readonly target: string }
  | { readonly kind: 'symlink'; readonly link: string; readonly target: string };

const isUnder = (path: string, dir: string) =>
  path === dir || path.startsWith(dir.endsWith(sep) ? dir : dir + sep);

function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

/** The folder to show for one file of an installed tool: an npm install's whole `node_modules`, else its folder. */
export function installRoot(file: string): string {
  const marker = `${sep}node_modules${sep}`;
  const at = file.indexOf(marker);
  return at >= 0 ? file.slice(0, at + marker.length - 1) : dirname(file);
}

/** `name` as the agent's PATH finds it (absolute paths as they are), or undefined. */
export function findOnPath(name: string, path: string | undefined): string | undefined {
  if (isAbsolute(name)) return existsSync(name) ? name : undefined;
  if (name.includes(sep)) return undefined;
  for (const dir of (path ?? '').split(delimiter)) {
    if (dir === '' || !isAbsolute(dir)) continue;
    const candidate = join(dir, name);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** The system part: folders and /etc entries that exist here, each shown where programs expect it. */
export function systemMounts(): Mount[] {
  const mounts: Mount[] = [];
  for (const dir of systemDirs) {
    if (isSymlink(dir)) mounts.push({ kind: 'symlink', link: dir, target: readlinkSync(dir) });
    else if (existsSync(dir)) mounts.push({ kind: 'ro', source: dir, target: dir });
  }
  for (const entry of etcEntries) {
    if (!existsSync(entry)) continue;
    // A symlinked file (resolv.conf -> /run/…) is shown as the file it points to: /run is not shown.
    mounts.push({ kind: 'ro', source: realpathSync(entry), target: entry });
  }
  return mounts;
}

/**
 * Read-only mounts for the tools a run starts (`tools`: names on PATH or absolute paths) and for other paths it
 * reads: the install root of each (and of what a symlink points to), the symlink itself re-created when it
 * lies outside what is shown. Paths under the system folders are shown already.
 */
export function toolMounts(
  tools: readonly string[],
  paths: readonly string[],
  envPath: string | undefined,
): Mount[] {
  const roots = new Set<string>();
  const links: Mount[] = [];
  for (const tool of tools) {
    const found = findOnPath(tool, envPath);
    if (!found) continue;
    const real = realpathSync(found);
    roots.add(installRoot(real));
    if (found !== real) {
      const root = installRoot(found);
      // node_modules/.bin/x -> ../pkg/x lives inside its node_modules: show that folder too.
      if (root.endsWith(`${sep}node_modules`)) roots.add(root);
      else links.push({ kind: 'symlink', link: found, target: real });
    }
  }
  for (const path of paths) if (existsSync(path)) roots.add(realpathSync(path));
  const mounts: Mount[] = [];
  const sorted = [...roots].sort((a, b) => a.length - b.length);
  const kept: string[] = [];
  for (const root of sorted) {
    if (systemDirs.some((dir) => isUnder(root, dir)) || kept.some((k) => isUnder(root, k))) continue;
    kept.push(root);
    mounts.push({ kind: 'ro', source: root, target: root });
  }
  const shown = (path: string) =>
    systemDirs.some((dir) => isUnder(path, dir)) || kept.some((root) => isUnder(path, root));
  for (const link of links) if (link.kind === 'symlink' && !shown(link.link)) mounts.push(link);
  return mounts;
}
