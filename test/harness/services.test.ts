import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { connect } from '@nats-io/transport-node';
import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { harness } from './use.ts';

describe('harness services', () => {
  it('serves a real PostgreSQL', async () => {
    const sql = postgres(harness('postgres').url, { max: 1, onnotice: () => undefined });
    try {
      const [row] = await sql<{ version: string }[]>`select version()`;
      expect(row?.version).toMatch(/^PostgreSQL \d+/);
    } finally {
      await sql.end();
    }
  });

  it('serves nats-server with JetStream enabled', async () => {
    const nc = await connect({ servers: harness('nats').url });
    try {
      expect(nc.info?.jetstream).toBe(true);
    } finally {
      await nc.close();
    }
  });

  it('serves S3 with the test bucket', async () => {
    const info = harness('s3');
    const s3 = new S3Client({
      endpoint: info.endpoint,
      region: info.region,
      forcePathStyle: true,
      credentials: info,
    });
    try {
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: info.bucket, MaxKeys: 1 }));
      expect(listed.$metadata.httpStatusCode).toBe(200);
    } finally {
      s3.destroy();
    }
  });
});
