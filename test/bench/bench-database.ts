/** A throwaway database on the harness's PostgreSQL for one benchmark (outside vitest, so no `inject`). */
import { randomUUID } from 'node:crypto';
import postgres from 'postgres';
import { ensurePostgres } from '../harness/services/postgres.ts';

export async function withBenchDatabase<T>(use: (url: string) => Promise<T>): Promise<T> {
  const server = await ensurePostgres();
  const name = `wk_bench_${randomUUID().replaceAll('-', '')}`;
  const admin = postgres(server.url, { max: 1, onnotice: () => undefined });
  await admin.unsafe(`create database ${name}`);
  try {
    const url = new URL(server.url);
    url.pathname = `/${name}`;
    return await use(url.toString());
  } finally {
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}
