/**
 * Vitest global setup: brings up (or reuses) the real services the tests need and hands their coordinates to
 * tests through `inject('harness')`. Services stay up between runs; `npm run harness:stop` stops them.
 *
 * WATCHKEEPER_HARNESS picks the services: a comma list of postgres, nats, s3, kube, node; `all` (the default) or
 * `none`. `node` (a real kubelet node, services/real-node.ts) joins the kube cluster, so it brings kube up too.
 * Before starting any, it installs the Debian packages they need (debian-packages.txt) when they are missing.
 */
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { ensureKube } from './services/kube.ts';
import { ensureRealNode } from './services/real-node.ts';
import { ensureNats } from './services/nats.ts';
import { ensurePostgres } from './services/postgres.ts';
import { ensureS3 } from './services/s3.ts';
import { log } from './process.ts';
import type { HarnessInfo, HarnessService } from './types.ts';

const allServices: readonly HarnessService[] = ['postgres', 'nats', 's3', 'kube', 'node'];

export function requestedServices(setting = process.env.WATCHKEEPER_HARNESS ?? 'all'): HarnessService[] {
  const value = setting.trim();
  if (value === 'all' || value === '') return [...allServices];
  if (value === 'none') return [];
  return value.split(',').map((name) => {
    const service = name.trim() as HarnessService;
    if (!allServices.includes(service)) {
      throw new Error(
        `WATCHKEEPER_HARNESS: unknown service ${JSON.stringify(name)}; use ${allServices.join(', ')}, all or none`,
      );
    }
    return service;
  });
}

/** Builds (or, when warm, just checks) the Go-built binaries; a cold build prints its progress and takes minutes. */
function buildBinaries(): void {
  const script = fileURLToPath(new URL('build-binaries.sh', import.meta.url));
  const result = spawnSync('bash', [script], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) {
    throw new Error(
      `harness: ${script} failed (exit ${String(result.status ?? result.signal)}); it needs the Go toolchain ` +
        'and the Go module proxy; its output above says which step broke',
    );
  }
}

/**
 * Installs the missing Debian packages of debian-packages.txt (apt-get, as root or with passwordless sudo), its
 * progress shown as it goes; when it cannot, the error is the script's one line naming the command to run.
 */
async function installDebianPackages(): Promise<void> {
  const script = fileURLToPath(new URL('install-debian-packages.sh', import.meta.url));
  const child = spawn('bash', [script], { stdio: ['ignore', 'inherit', 'pipe'] });
  let lastLine = '';
  child.stderr.on('data', (chunk: Buffer) => {
    process.stderr.write(chunk);
    lastLine = chunk.toString('utf8').trimEnd().split('\n').at(-1) ?? lastLine;
  });
  const code = await new Promise<number | null>((resolve) => {
    child.once('error', () => resolve(null));
    child.once('close', resolve);
  });
  if (code !== 0) throw new Error(lastLine || `harness: ${script} failed (exit ${String(code)})`);
}

const ciNodeMajor = 24;

/** Starts (or reuses) the requested services, first installing what they need; shared with `start.ts`. */
export async function startHarness(wanted: readonly HarnessService[]): Promise<HarnessInfo> {
  if (wanted.length === 0) return {};
  const started = Date.now();
  if (Number(process.versions.node.split('.')[0]) < ciNodeMajor) {
    log(
      `running on Node ${process.version}; CI runs the suite on Node ${ciNodeMajor} ` +
        `(PATH="$(bash test/harness/node24.sh):$PATH" npm test does the same here)`,
    );
  }
  await installDebianPackages();
  const wantsKube = wanted.includes('kube') || wanted.includes('node');
  if (wanted.includes('s3') || wantsKube) buildBinaries();
  const [postgres, nats, s3, kube] = await Promise.all([
    wanted.includes('postgres') ? ensurePostgres() : undefined,
    wanted.includes('nats') ? ensureNats() : undefined,
    wanted.includes('s3') ? ensureS3() : undefined,
    wantsKube ? ensureKube() : undefined,
  ]);
  const node = kube && wanted.includes('node') ? await ensureRealNode(kube) : undefined;
  log(`${wanted.join(', ')} ready in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  return {
    ...(postgres && { postgres }),
    ...(nats && { nats }),
    ...(s3 && { s3 }),
    ...(kube && { kube }),
    ...(node && { node }),
  };
}

export default async function setup(project: TestProject): Promise<void> {
  project.provide('harness', await startHarness(requestedServices()));
}
