import {
  GetObjectCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { InfraError } from '../../core/domain/errors.ts';
import type { ReportStore } from '../../core/ports/report-store.ts';
import { assertTtl } from './folder-report-store.ts';
import { assertReportKey } from './report-key.ts';

export class ReportStoreUnavailableError extends InfraError {
  readonly code = 'report_store_unavailable';
}

export interface S3ReportStoreOptions {
  readonly bucket: string;
  /** Prepended to every key, e.g. `watchkeeper/`. */
  readonly prefix: string;
  readonly region: string;
  readonly endpoint?: string | undefined;
  readonly forcePathStyle?: boolean;
  /** Unset: the AWS SDK default chain (environment, profile, IRSA, instance role). */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string } | undefined;
}

export interface S3ReportStore extends ReportStore {
  /** Fails fast with ReportStoreUnavailableError when the bucket cannot be reached with these credentials. */
  verify(): Promise<void>;
  close(): void;
}

export function createS3ReportStore(options: S3ReportStoreOptions): S3ReportStore {
  const client = new S3Client({
    region: options.region,
    ...(options.endpoint !== undefined && { endpoint: options.endpoint }),
    forcePathStyle: options.forcePathStyle ?? false,
    ...(options.credentials && { credentials: { ...options.credentials } }),
  });
  const objectKey = (key: string) => {
    assertReportKey(key);
    return `${options.prefix}${key}`;
  };
  const where = `bucket ${options.bucket}${options.endpoint ? ` at ${options.endpoint}` : ''}`;

  return {
    async verify() {
      try {
        await client.send(new HeadBucketCommand({ Bucket: options.bucket }));
      } catch (error) {
        throw new ReportStoreUnavailableError(`S3 ${where}: ${explain(error)}`, {
          cause: error,
          retryable: true,
        });
      }
    },

    async put(key, body, contentType, putOptions = {}) {
      await client.send(
        new PutObjectCommand({
          Bucket: options.bucket,
          Key: objectKey(key),
          Body: body,
          ContentType: contentType,
        }),
        { ...(putOptions.signal && { abortSignal: putOptions.signal }) },
      );
    },

    async get(key, getOptions = {}) {
      try {
        const object = await client.send(
          new GetObjectCommand({ Bucket: options.bucket, Key: objectKey(key) }),
          {
            ...(getOptions.signal && { abortSignal: getOptions.signal }),
          },
        );
        const body = object.Body ? await object.Body.transformToByteArray() : new Uint8Array();
        return { body, contentType: object.ContentType ?? 'application/octet-stream' };
      } catch (error) {
        if (error instanceof NoSuchKey) return undefined;
        throw error;
      }
    },

    async list(prefix, listOptions = {}) {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const page = await client.send(
          new ListObjectsV2Command({
            Bucket: options.bucket,
            Prefix: `${options.prefix}${prefix}`,
            ContinuationToken: token,
          }),
          { ...(listOptions.signal && { abortSignal: listOptions.signal }) },
        );
        for (const object of page.Contents ?? [])
          if (object.Key) keys.push(object.Key.slice(options.prefix.length));
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return keys.sort();
    },

    async readLink(key, ttlSeconds) {
      assertTtl(ttlSeconds);
      return await getSignedUrl(
        client,
        new GetObjectCommand({ Bucket: options.bucket, Key: objectKey(key) }),
        {
          expiresIn: ttlSeconds,
        },
      );
    },

    async uploadLink(key, contentType, ttlSeconds) {
      assertTtl(ttlSeconds);
      return await getSignedUrl(
        client,
        new PutObjectCommand({ Bucket: options.bucket, Key: objectKey(key), ContentType: contentType }),
        { expiresIn: ttlSeconds, signableHeaders: new Set(['content-type']) },
      );
    },

    close() {
      client.destroy();
    },
  };
}

function explain(error: unknown): string {
  if (error instanceof S3ServiceException) {
    const status = error.$metadata.httpStatusCode;
    if (status === 403) return 'access denied; check the credentials and the bucket policy';
    if (status === 404) return 'no such bucket; create it or fix the bucket name';
    return `${error.name} (HTTP ${status ?? '?'})`;
  }
  const code = (error as { code?: string }).code;
  return `cannot connect${code ? ` (${code})` : ''}: ${(error as Error).message}; check the endpoint and the network`;
}
