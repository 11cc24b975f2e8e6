/**
 * `POST /webhooks/alertmanager` (Alertmanager v4) and `POST /webhooks/faults` (the generic JSON format), both
 * behind a bearer token. A payload is answered 202 only once every fault in it is stored; if storing fails the
 * sender gets 503 and retries (Alertmanager does), so nothing is lost.
 *
 * Intake never poisons itself: the body is normalized (well-formed UTF-16, no NUL) and every fault is checked
 * against the domain's schema (Kubernetes name limits, bounded labels) before the first one is stored, so bad
 * data is a 4xx naming the field and nothing half-stored, and a resent request cannot turn into a 5xx forever.
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import { FaultSchema, type Fault } from '../../core/domain/fault.ts';
import type { HttpHandler } from '../../core/ports/http-handler.ts';
import type { Logger } from '../../core/ports/logger.ts';
import { alertToFault } from './alert-to-fault.ts';
import { AlertmanagerPayloadSchema } from './alertmanager-payload.ts';
import { GenericPayloadSchema, genericToFault } from './generic-payload.ts';
import { normalizeJson } from './normalize-json.ts';

export interface WebhookOptions {
  readonly token: string;
  readonly defaultCluster: string;
  readonly sink: (fault: Fault) => Promise<unknown>;
  readonly logger: Logger;
  readonly maxBodyBytes?: number;
  readonly clock?: { now(): Date };
}

class HttpProblem extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

const digest = (value: string) => createHash('sha256').update(value).digest();

function authorize(req: IncomingMessage, token: string): void {
  const header = req.headers.authorization ?? '';
  const match = /^Bearer\s+(.+)$/i.exec(header);
  if (!match?.[1])
    throw new HttpProblem(
      401,
      'missing bearer token: send Authorization: Bearer <WATCHKEEPER_WEBHOOK_TOKEN>',
    );
  if (!timingSafeEqual(digest(match[1].trim()), digest(token)))
    throw new HttpProblem(401, 'wrong bearer token');
}

async function readJson(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  if (!/^application\/json\b/i.test(req.headers['content-type'] ?? 'application/json')) {
    throw new HttpProblem(415, 'send Content-Type: application/json');
  }
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > maxBytes) throw new HttpProblem(413, `the payload is larger than ${maxBytes} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw new HttpProblem(413, `the payload is larger than ${maxBytes} bytes`);
    chunks.push(chunk);
  }
  try {
    return normalizeJson(JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown);
  } catch (error) {
    throw new HttpProblem(400, `the body is not valid JSON: ${(error as Error).message}`);
  }
}

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const at = issue?.path.map(String).join('.') ?? '';
  throw new HttpProblem(400, `${at || 'body'}: ${issue?.message ?? 'invalid'}`);
}

/** Every fault as the store will hold it, or a 400 naming the first field that cannot be stored. */
function checked(faults: readonly Fault[], itemsName: string): Fault[] {
  return faults.map((fault, i) => {
    const result = FaultSchema.safeParse(fault);
    if (result.success) return result.data;
    const issue = result.error.issues[0];
    const field = issue?.path.map(String).join('.') ?? '';
    throw new HttpProblem(
      400,
      `${itemsName}.${i}: the fault's ${field || 'data'} cannot be stored: ${issue?.message ?? 'invalid'}`,
    );
  });
}

function reply(res: ServerResponse, status: number, body: Record<string, unknown>): void {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(`${JSON.stringify(body)}\n`);
}

export function createWebhookHandler(options: WebhookOptions): HttpHandler {
  const maxBytes = options.maxBodyBytes ?? 1_048_576;
  const clock = options.clock ?? { now: () => new Date() };
  const routes: Record<string, (body: unknown) => Fault[]> = {
    '/webhooks/alertmanager': (body) => {
      const payload = parse(AlertmanagerPayloadSchema, body);
      const sourceName = payload.receiver ?? 'alertmanager';
      return checked(
        payload.alerts.map((alert) =>
          alertToFault(alert, { sourceName, defaultCluster: options.defaultCluster }),
        ),
        'alerts',
      );
    },
    '/webhooks/faults': (body) => {
      const payload = parse(GenericPayloadSchema, body);
      const now = clock.now();
      return checked(
        payload.faults.map((fault) =>
          genericToFault(fault, { sourceName: 'webhook', defaultCluster: options.defaultCluster, now }),
        ),
        'faults',
      );
    },
  };

  return async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const toFaults = routes[path];
    if (!toFaults) return false;
    try {
      if (req.method !== 'POST') throw new HttpProblem(405, `use POST for ${path}`);
      authorize(req, options.token);
      const faults = toFaults(await readJson(req, maxBytes));
      try {
        for (const fault of faults) await options.sink(fault);
      } catch (error) {
        options.logger.warn({ err: error, path }, 'webhook faults not stored; the sender will retry');
        throw new HttpProblem(503, 'faults could not be stored right now; retry later');
      }
      reply(res, 202, { accepted: faults.length });
    } catch (error) {
      if (!(error instanceof HttpProblem)) throw error;
      if (error.status !== 503)
        options.logger.info({ path, status: error.status, problem: error.message }, 'webhook refused');
      // A body refused before it was read whole: say so and close, rather than read megabytes to discard.
      if (error.status === 413) res.setHeader('Connection', 'close');
      reply(res, error.status, { error: error.message });
    }
    return true;
  };
}
