import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createS3ReportStore, ReportStoreUnavailableError } from '../../runners/reports/s3-report-store.ts';
import { harness } from '../harness/use.ts';
import { reportStoreContract } from './report-store-contract.ts';

function s3Store(overrides: { secretAccessKey?: string; endpoint?: string } = {}) {
  const s3 = harness('s3');
  return createS3ReportStore({
    bucket: s3.bucket,
    prefix: `test-${randomUUID()}/`,
    region: s3.region,
    endpoint: overrides.endpoint ?? s3.endpoint,
    forcePathStyle: true,
    credentials: {
      accessKeyId: s3.accessKeyId,
      secretAccessKey: overrides.secretAccessKey ?? s3.secretAccessKey,
    },
  });
}

reportStoreContract('S3 (versitygw)', () => {
  const store = s3Store();
  return Promise.resolve({
    store,
    close: () => {
      store.close();
      return Promise.resolve();
    },
  });
});

describe('S3 report store start-up checks', () => {
  it('passes verification against the real bucket', async () => {
    await expect(s3Store().verify()).resolves.toBeUndefined();
  });

  it('reports wrong credentials as access denied, naming the bucket', async () => {
    const verifying = s3Store({ secretAccessKey: 'wrong' }).verify();
    await expect(verifying).rejects.toBeInstanceOf(ReportStoreUnavailableError);
    await expect(verifying).rejects.toThrow(/^S3 bucket watchkeeper-test at http:\S+: access denied/);
  });

  it('reports an unreachable endpoint, naming it', async () => {
    const verifying = s3Store({ endpoint: 'http://127.0.0.1:1' }).verify();
    await expect(verifying).rejects.toThrow(
      /^S3 bucket watchkeeper-test at http:\/\/127\.0\.0\.1:1: cannot connect/,
    );
  });
});
