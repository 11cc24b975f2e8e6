/**
 * Where reports, transcripts and audit records are kept. Keys are `/`-separated paths without `..`; writing a
 * key twice replaces it (idempotent by deterministic keys). Links expire after their TTL.
 */
export interface StoredObject {
  readonly body: Uint8Array;
  readonly contentType: string;
}

export interface ReportStore {
  put(
    key: string,
    body: string | Uint8Array,
    contentType: string,
    options?: { signal?: AbortSignal },
  ): Promise<void>;
  /** `undefined` when no object has that key. */
  get(key: string, options?: { signal?: AbortSignal }): Promise<StoredObject | undefined>;
  list(prefix: string, options?: { signal?: AbortSignal }): Promise<readonly string[]>;
  /** A URL a person can open to read the object, valid for `ttlSeconds`. */
  readLink(key: string, ttlSeconds: number): Promise<string>;
  /** A URL a sandboxed agent can PUT the object to, valid for `ttlSeconds`, for this one key. */
  uploadLink(key: string, contentType: string, ttlSeconds: number): Promise<string>;
}
