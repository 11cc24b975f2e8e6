/**
 * Whether this machine can give local runs their bubblewrap sandbox: one sandbox of the real shape (same
 * namespaces, same user drop) around `true`, run once at start. No bwrap, user namespaces disabled, or a
 * container without the privileges: the reason, so Watchkeeper can refuse to start and say what to do.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { probeCommand, runningAsRoot, type BubblewrapSettings } from './bubblewrap.ts';
import { chownTreeSync } from './workspace-owner.ts';

export type ProbeResult = { readonly ok: true } | { readonly ok: false; readonly reason: string };

export function probeBubblewrap(settings: BubblewrapSettings): ProbeResult {
  const workspace = mkdtempSync(join(tmpdir(), 'wk-sandbox-probe-'));
  try {
    if (runningAsRoot()) chownTreeSync(workspace, settings.uid, settings.gid);
    const { inside } = probeCommand(settings, workspace);
    const result = spawnSync('bwrap', inside, {
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: 10_000,
      env: { PATH: '/usr/bin:/bin' },
    });
    if (result.error) {
      const missing = (result.error as NodeJS.ErrnoException).code === 'ENOENT';
      return {
        ok: false,
        reason: missing
          ? 'bubblewrap (bwrap) is not installed'
          : `bwrap could not run: ${result.error.message}`,
      };
    }
    if (result.status !== 0) {
      const stderr = result.stderr.toString('utf8').trim().split('\n').slice(-2).join(' | ');
      return {
        ok: false,
        reason: `bwrap failed (${stderr || `exit ${result.status ?? result.signal}`}): user namespaces may be disabled here`,
      };
    }
    return { ok: true };
  } finally {
    rmSync(workspace, { recursive: true, force: true });
  }
}

/** What the operator can do about a failed probe. */
export const probeAdvice =
  'install bubblewrap (Debian/Ubuntu: apt-get install bubblewrap) and allow user namespaces ' +
  '(sysctl user.max_user_namespaces > 0; kernel.unprivileged_userns_clone=1 and no AppArmor userns restriction ' +
  'for a non-root Watchkeeper; in a container, a seccomp/AppArmor profile that permits them), or run agents as ' +
  'Kubernetes Jobs (runner: kubernetes-job), or set agents.localSandbox: none to run them unsandboxed';
