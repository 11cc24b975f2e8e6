import { createHmac, timingSafeEqual } from 'node:crypto';

/** What a folder-store link grants: one method on one key until `expires` (unix seconds). */
export interface LinkGrant {
  readonly method: 'GET' | 'PUT';
  readonly key: string;
  readonly expires: number;
  /** For PUT: the only content type the upload may carry. */
  readonly contentType?: string;
}

export function signGrant(signingKey: string, grant: LinkGrant): string {
  return createHmac('sha256', signingKey)
    .update([grant.method, grant.key, String(grant.expires), grant.contentType ?? ''].join('\n'))
    .digest('base64url');
}

export function verifyGrant(signingKey: string, grant: LinkGrant, signature: string): boolean {
  const expected = Buffer.from(signGrant(signingKey, grant));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
