/**
 * A real PostgreSQL server from the Debian packages (`apt-get install postgresql`). PostgreSQL refuses to run
 * as root, so under root the cluster is owned by the `postgres` system user and lives where that user can reach:
 * a folder under /var/tmp named after the cache folder, so harnesses with different caches never share one.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { chown, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import postgres from 'postgres';
import { cacheRoot, freePort, log, reuseOrStart, waitUntil } from '../process.ts';

export interface PostgresInfo {
  readonly url: string;
}

const runningAsRoot = process.getuid?.() === 0;

/**
 * Where the cluster of the harness whose cache is `cache` lives. Root's cache (under /root) is out of the
 * `postgres` user's reach, so under root it is a per-cache folder in /var/tmp, keyed by a hash of the cache path.
 */
export function postgresHome(cache = cacheRoot, asRoot = runningAsRoot): string {
  if (!asRoot) return join(cache, 'harness', 'postgres');
  const key = createHash('sha256').update(cache).digest('hex').slice(0, 16);
  return join('/var/tmp/watchkeeper-harness', key, 'postgres');
}

function postgresBin(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  const found = versions.map((v) => join(root, v, 'bin')).find((dir) => existsSync(join(dir, 'initdb')));
  if (!found) throw new Error('harness: PostgreSQL is not installed; run: apt-get install -y postgresql');
  return found;
}

function run(command: string, args: readonly string[]): void {
  const [cmd, argv] = runningAsRoot
    ? ['runuser', ['-u', 'postgres', '--', command, ...args]]
    : [command, args];
  const result = spawnSync(cmd, argv, { encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(`harness: ${command} ${args.join(' ')} failed:\n${result.stdout}${result.stderr}`);
  }
}

/** Up, and this cache's own cluster: one that older harness code started in a shared folder is not reused. */
async function probe(info: PostgresInfo): Promise<boolean> {
  const sql = postgres(info.url, { max: 1, connect_timeout: 2, onnotice: () => undefined });
  try {
    const [row] = await sql<{ data_directory: string }[]>`show data_directory`;
    return row?.data_directory === join(postgresHome(), 'data');
  } finally {
    await sql.end({ timeout: 1 });
  }
}

export async function ensurePostgres(): Promise<PostgresInfo> {
  return reuseOrStart<PostgresInfo>('postgres', probe, async () => {
    const bin = postgresBin();
    const home = postgresHome();
    const data = join(home, 'data');
    await mkdir(home, { recursive: true });
    if (runningAsRoot) {
      await chown(home, ...postgresOwner());
      // Says whose cluster this is to whoever finds the folder.
      await writeFile(join(dirname(home), 'cache-path'), `${cacheRoot}\n`);
    }
    if (!existsSync(join(data, 'PG_VERSION'))) {
      log('postgres: initdb');
      run(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C']);
    }
    const port = await freePort();
    const logFile = join(home, 'postgres.log');
    run(join(bin, 'pg_ctl'), [
      '-D',
      data,
      '-l',
      logFile,
      '-w',
      '-t',
      '60',
      'start',
      '-o',
      `-p ${port} -k ${home} -c listen_addresses=127.0.0.1 -c max_connections=200`,
    ]);
    const pid = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
    const info = { url: `postgres://postgres@127.0.0.1:${port}/postgres` };
    await waitUntil('postgres', () => probe(info), { timeoutMs: 30_000, logFile, pid });
    return { info, pids: [pid] };
  });
}

function postgresOwner(): [number, number] {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith('postgres:'));
  const [, , uid, gid] = line?.split(':') ?? [];
  if (uid === undefined || gid === undefined)
    throw new Error('harness: no postgres system user; install postgresql');
  return [Number(uid), Number(gid)];
}
