/** PUTs the run's artifacts through the presigned URLs Watchkeeper handed the pod (no S3 credentials in the pod). */
import { redact } from '../../core/domain/redact.ts';

export interface UploadTarget {
  readonly name: string;
  readonly url: string;
  readonly body: string;
  readonly contentType: string;
}

const attempts = 3;

/** The host and path of a presigned URL, never its signature (that is a credential until it expires). */
const where = (url: string) => {
  try {
    const parsed = new URL(url);
    return `${parsed.host}${parsed.pathname}`;
  } catch {
    return '(not a URL)';
  }
};

export async function uploadArtifact(target: UploadTarget): Promise<void> {
  let last = '';
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    try {
      const response = await fetch(target.url, {
        method: 'PUT',
        body: target.body,
        headers: { 'content-type': target.contentType },
        signal: AbortSignal.timeout(30_000),
      });
      if (response.ok) return;
      const text = redact((await response.text().catch(() => '')).slice(0, 300));
      last = `HTTP ${response.status}${text ? `: ${text}` : ''}`;
      if (response.status < 500) break;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((done) => setTimeout(done, 500 * attempt));
  }
  throw new Error(`uploading ${target.name} to ${where(target.url)} failed: ${last.replace(/\s+/g, ' ')}`);
}
