/** The embedded default: data survives a restart, and one folder is never opened by two processes. */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../core/store/open-store.ts';
import { makeFault } from '../fixtures/domain.ts';
import { migrationCount } from './migration-count.ts';

describe('PGlite store in a folder', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('keeps the data across a close and reopen, migrating only the first time', async () => {
    dir = await mkdtemp(join(tmpdir(), 'wk-pglite-'));
    const fault = makeFault();
    const first = await openStore({ kind: 'pglite', dataDir: dir });
    expect(first.migrationsApplied).toBe(migrationCount());
    expect(first.location).toBe(dir);
    await first.faults.record(fault);
    await first.close();

    const second = await openStore({ kind: 'pglite', dataDir: dir });
    try {
      expect(second.migrationsApplied).toBe(0);
      expect((await second.faults.record(fault)).outcome).toBe('duplicate');
    } finally {
      await second.close();
    }
  });

  it('refuses a folder another live process holds, naming the process', async () => {
    dir = await mkdtemp(join(tmpdir(), 'wk-pglite-'));
    const holder = spawn('sleep', ['30'], { stdio: 'ignore' });
    const pid = holder.pid!;
    try {
      await writeFile(join(dir, 'watchkeeper.pid'), String(pid));
      await expect(openStore({ kind: 'pglite', dataDir: dir })).rejects.toThrow(
        new RegExp(`is in use by process ${pid}`),
      );
    } finally {
      holder.kill();
    }
  });

  it('takes over a lock left by a process that died', async () => {
    dir = await mkdtemp(join(tmpdir(), 'wk-pglite-'));
    await writeFile(join(dir, 'watchkeeper.pid'), '999999');
    const store = await openStore({ kind: 'pglite', dataDir: dir });
    await store.close();
  });
});
