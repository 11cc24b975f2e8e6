import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import type { Clock } from '../../core/ports/clock.ts';
import { systemClock } from '../../core/ports/clock.ts';
import type { ReportStore, StoredObject } from '../../core/ports/report-store.ts';
import { signGrant, type LinkGrant } from './link-signature.ts';
import { assertReportKey } from './report-key.ts';

export interface FolderReportStoreOptions {
  readonly root: string;
  /** Where Watchkeeper's HTTP server is reached; read at link time, so it may be set after listening. */
  readonly baseUrl: () => string;
  readonly signingKey: string;
  readonly clock?: Clock;
}

export interface FolderReportStore extends ReportStore {
  /** For the link handler: the grant's signing key and the objects. */
  readonly signingKey: string;
  readonly clock: Clock;
}

/** The embedded default: objects in a local folder, links signed with HMAC and served by our HTTP server. */
export function createFolderReportStore(options: FolderReportStoreOptions): FolderReportStore {
  const clock = options.clock ?? systemClock;
  const objects = join(options.root, 'objects');
  const meta = join(options.root, 'meta');
  const objectPath = (key: string) => join(objects, ...key.split('/'));
  const metaPath = (key: string) => `${join(meta, ...key.split('/'))}.json`;

  const link = (grant: Omit<LinkGrant, 'expires'>, ttlSeconds: number): string => {
    assertReportKey(grant.key);
    assertTtl(ttlSeconds);
    const expires = Math.floor(clock.now().getTime() / 1000) + ttlSeconds;
    const signature = signGrant(options.signingKey, { ...grant, expires });
    const path = grant.key.split('/').map(encodeURIComponent).join('/');
    return `${options.baseUrl()}/reports/${path}?expires=${expires}&sig=${signature}`;
  };

  return {
    signingKey: options.signingKey,
    clock,

    async put(key, body, contentType) {
      assertReportKey(key);
      await atomicWrite(objectPath(key), typeof body === 'string' ? Buffer.from(body) : body);
      await atomicWrite(metaPath(key), Buffer.from(JSON.stringify({ contentType })));
    },

    async get(key): Promise<StoredObject | undefined> {
      assertReportKey(key);
      try {
        const [body, metadata] = await Promise.all([
          readFile(objectPath(key)),
          readFile(metaPath(key), 'utf8'),
        ]);
        const { contentType } = JSON.parse(metadata) as { contentType: string };
        return { body: new Uint8Array(body), contentType };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
    },

    async list(prefix) {
      const files = await readdir(objects, { recursive: true, withFileTypes: true }).catch(
        (error: unknown) => {
          if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
          throw error;
        },
      );
      return files
        .filter((entry) => entry.isFile() && !entry.name.startsWith('.tmp-'))
        .map((entry) => relative(objects, join(entry.parentPath, entry.name)).split(sep).join('/'))
        .filter((key) => key.startsWith(prefix))
        .sort();
    },

    readLink(key, ttlSeconds) {
      return Promise.resolve().then(() => link({ method: 'GET', key }, ttlSeconds));
    },

    uploadLink(key, contentType, ttlSeconds) {
      return Promise.resolve().then(() => link({ method: 'PUT', key, contentType }, ttlSeconds));
    },
  };
}

export function assertTtl(ttlSeconds: number): void {
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > 604_800) {
    throw new Error(
      `link TTL must be a whole number of seconds between 1 and 604800 (7 days), got ${ttlSeconds}`,
    );
  }
}

/** Write to a temp file in the same folder, then rename: readers never see half an object. */
async function atomicWrite(path: string, body: Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = join(dirname(path), `.tmp-${randomUUID()}`);
  await writeFile(temp, body);
  await rename(temp, path);
}
