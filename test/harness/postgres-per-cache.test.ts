/**
 * Two harnesses with different caches (WATCHKEEPER_CACHE) on one machine, at the same time: each has its own
 * PostgreSQL cluster, in its own folder, and a database made in one is not in the other.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cacheRoot } from './process.ts';
import { postgresHome } from './services/postgres.ts';
import type { HarnessInfo } from './types.ts';
import { harness } from './use.ts';

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

/** Runs a harness script (start.ts, stop.ts) with its own cache, as a second `npm test` would. */
async function harnessScript(script: string, cache: string): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', here(script)], {
    env: { ...process.env, WATCHKEEPER_CACHE: cache, WATCHKEEPER_HARNESS: 'postgres' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  if (code !== 0)
    throw new Error(`${script} with WATCHKEEPER_CACHE=${cache} exited ${String(code)}:\n${err}`);
  return out;
}

async function dataDirectory(url: string): Promise<string> {
  const sql = postgres(url, { max: 1, onnotice: () => undefined });
  try {
    const [row] = await sql<{ data_directory: string }[]>`show data_directory`;
    return row?.data_directory ?? '';
  } finally {
    await sql.end();
  }
}

async function databases(url: string): Promise<string[]> {
  const sql = postgres(url, { max: 1, onnotice: () => undefined });
  try {
    return (await sql<{ datname: string }[]>`select datname from pg_database`).map((r) => r.datname);
  } finally {
    await sql.end();
  }
}

describe('harness PostgreSQL per cache folder', () => {
  let otherCache: string;
  beforeAll(async () => {
    otherCache = await mkdtemp(join(tmpdir(), 'wk-other-cache-'));
  });
  afterAll(async () => {
    await harnessScript('stop.ts', otherCache);
    await rm(otherCache, { recursive: true, force: true });
    await rm(dirname(postgresHome(otherCache)), { recursive: true, force: true });
  });

  it('gives a second harness with another cache its own cluster while the first keeps running', async () => {
    const mine = harness('postgres').url;
    const other = (
      JSON.parse(
        (await harnessScript('start.ts', otherCache)).trimEnd().split('\n').at(-1) ?? '{}',
      ) as HarnessInfo
    ).postgres?.url;
    expect(other).toBeDefined();
    if (other === undefined) return;
    expect(other).not.toBe(mine);

    const [mineDir, otherDir] = [await dataDirectory(mine), await dataDirectory(other)];
    expect(mineDir).toBe(join(postgresHome(cacheRoot), 'data'));
    expect(otherDir).toBe(join(postgresHome(otherCache), 'data'));
    expect(otherDir).not.toBe(mineDir);

    const name = `wk_only_other_${randomUUID().replaceAll('-', '')}`;
    const admin = postgres(other, { max: 1, onnotice: () => undefined });
    try {
      await admin.unsafe(`create database ${name}`);
      expect(await databases(other)).toContain(name);
      expect(await databases(mine)).not.toContain(name);
    } finally {
      await admin.unsafe(`drop database if exists ${name}`);
      await admin.end();
    }
    // The first harness still answers: starting the second did not take its cluster over.
    expect(await dataDirectory(mine)).toBe(mineDir);
  }, 120_000); // a cold initdb and a tsx start-up; minutes on a loaded 2-core machine
});
