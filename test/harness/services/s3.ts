/** A real S3 server: versitygw (built from its Go module by build-binaries.sh) over a posix folder. */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { CreateBucketCommand, HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { binaries, freePort, reuseOrStart, serviceDir, spawnDetached, waitUntil } from '../process.ts';

export interface S3Info {
  readonly endpoint: string;
  readonly region: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly bucket: string;
}

const credentials = { accessKeyId: 'watchkeeper-test', secretAccessKey: 'watchkeeper-test-secret-key' };

function client(info: S3Info): S3Client {
  return new S3Client({
    endpoint: info.endpoint,
    region: info.region,
    forcePathStyle: true,
    credentials: { accessKeyId: info.accessKeyId, secretAccessKey: info.secretAccessKey },
    maxAttempts: 1,
  });
}

async function probe(info: S3Info): Promise<boolean> {
  const s3 = client(info);
  try {
    await s3.send(new HeadBucketCommand({ Bucket: info.bucket }));
    return true;
  } finally {
    s3.destroy();
  }
}

export async function ensureS3(): Promise<S3Info> {
  return reuseOrStart<S3Info>('s3', probe, async () => {
    const dir = serviceDir('s3');
    await mkdir(join(dir, 'data'), { recursive: true });
    const port = await freePort();
    const logFile = join(dir, 'versitygw.log');
    const pid = spawnDetached(
      binaries().versitygw,
      ['--port', `127.0.0.1:${port}`, 'posix', join(dir, 'data')],
      {
        logFile,
        env: { ROOT_ACCESS_KEY: credentials.accessKeyId, ROOT_SECRET_KEY: credentials.secretAccessKey },
      },
    );
    const info: S3Info = {
      endpoint: `http://127.0.0.1:${port}`,
      region: 'us-east-1',
      ...credentials,
      bucket: 'watchkeeper-test',
    };
    await waitUntil(
      'versitygw',
      async () => {
        const s3 = client(info);
        try {
          await s3.send(new CreateBucketCommand({ Bucket: info.bucket }));
        } catch (error) {
          const name = (error as { name?: string }).name;
          if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') throw error;
        } finally {
          s3.destroy();
        }
        return true;
      },
      { timeoutMs: 20_000, logFile, pid },
    );
    return { info, pids: [pid] };
  });
}
