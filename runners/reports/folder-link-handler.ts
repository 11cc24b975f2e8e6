import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpHandler } from '../../core/ports/http-handler.ts';
import type { FolderReportStore } from './folder-report-store.ts';
import { verifyGrant } from './link-signature.ts';
import { assertReportKey } from './report-key.ts';

const maxUploadBytes = 20 * 1024 * 1024;

/** Report pages carry agent output: nothing in them may run, load or phone home. */
const securityHeaders = {
  'X-Content-Type-Options': 'nosniff',
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox",
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'private, no-store',
};

/** Serves signed GET and PUT links under `/reports/`; answers false for any other path. */
export function createFolderLinkHandler(store: FolderReportStore): HttpHandler {
  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!url.pathname.startsWith('/reports/')) return false;
    const method =
      req.method === 'PUT' ? 'PUT' : req.method === 'GET' || req.method === 'HEAD' ? 'GET' : undefined;
    if (!method) return reply(res, 405, 'only GET and PUT are allowed on report links');

    let key: string;
    try {
      key = url.pathname.slice('/reports/'.length).split('/').map(decodeURIComponent).join('/');
      assertReportKey(key);
    } catch {
      return reply(res, 400, 'malformed report key');
    }
    const expires = Number(url.searchParams.get('expires'));
    const signature = url.searchParams.get('sig') ?? '';
    const contentType = method === 'PUT' ? (req.headers['content-type'] ?? '') : undefined;
    const grant = { method, key, expires, ...(contentType !== undefined && { contentType }) } as const;
    if (!Number.isInteger(expires) || !verifyGrant(store.signingKey, grant, signature)) {
      return reply(res, 403, 'link signature does not match (tampered, or for another key or content type)');
    }
    if (expires < Math.floor(store.clock.now().getTime() / 1000))
      return reply(res, 403, 'link has expired; ask for a new one');

    if (method === 'PUT') {
      const body = await readBody(req, maxUploadBytes);
      if (!body) return reply(res, 413, `upload larger than ${maxUploadBytes} bytes`);
      await store.put(key, body, contentType ?? 'application/octet-stream');
      return reply(res, 200, 'stored');
    }
    const object = await store.get(key);
    if (!object) return reply(res, 404, 'no such report');
    res.writeHead(200, {
      ...securityHeaders,
      'Content-Type': object.contentType,
      'Content-Length': object.body.byteLength,
    });
    res.end(req.method === 'HEAD' ? undefined : object.body);
    return true;
  };
}

function reply(res: ServerResponse, status: number, message: string): true {
  res.writeHead(status, { ...securityHeaders, 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(`${message}\n`);
  return true;
}

async function readBody(req: IncomingMessage, limit: number): Promise<Uint8Array | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.byteLength;
    if (size > limit) return undefined;
    chunks.push(buffer);
  }
  return new Uint8Array(Buffer.concat(chunks));
}
