/**
 * `watchkeeper emit`: the fault-event MCP server (Streamable HTTP at /mcp) for one cluster. Bearer-token auth on
 * every request, a session cap, idle sessions closed, SSE keepalives, and a shared event store so a client that
 * reconnects with Last-Event-ID gets what it missed.
 */
import { randomUUID, timingSafeEqual, createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import type { Fault } from '../../core/domain/fault.ts';
import type { Logger } from '../../core/ports/logger.ts';
import { EmitSession, type FaultView } from './emit-session.ts';
import { BoundedEventStore } from './event-store.ts';

export interface EmitServerOptions {
  readonly cluster: string;
  readonly token: string;
  readonly host: string;
  readonly port: number;
  readonly logger: Logger;
  readonly version: string;
  readonly maxSessions?: number;
  readonly maxSubscriptionsPerSession?: number;
  readonly idleSessionMs?: number;
  readonly keepAliveMs?: number;
  readonly maxBodyBytes?: number;
}

export interface EmitServer {
  readonly url: string;
  /** Announces a fault change (firing or resolved) to every session. */
  publish(fault: Fault): void;
  /** Seeds or replaces the set of faults that hold now (e.g. from the watcher at start). */
  sessions(): number;
  close(): Promise<void>;
}

const digest = (value: string) => createHash('sha256').update(value).digest();

export async function startEmitServer(options: EmitServerOptions): Promise<EmitServer> {
  const { logger } = options;
  const maxSessions = options.maxSessions ?? 1000;
  const active = new Map<string, Fault>();
  const recentlyResolved = new Map<string, Fault>();
  const events = new BoundedEventStore();
  const sessions = new Map<string, { transport: StreamableHTTPServerTransport; session: EmitSession }>();
  const view: FaultView = {
    cluster: options.cluster,
    active: () => [...active.values()],
    find: (faultId) => active.get(faultId) ?? recentlyResolved.get(faultId),
  };

  function reject(
    res: ServerResponse,
    status: number,
    message: string,
    headers: Record<string, string> = {},
  ): void {
    res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
    res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }));
  }

  async function readBody(req: IncomingMessage): Promise<unknown> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > (options.maxBodyBytes ?? 1_048_576)) throw new RangeError('request body too large');
      chunks.push(chunk);
    }
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  }

  async function newSession(req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> {
    if (sessions.size >= maxSessions) {
      reject(res, 503, `this server holds its limit of ${maxSessions} sessions; retry later`);
      return;
    }
    const session = new EmitSession(view, {
      maxSubscriptions: options.maxSubscriptionsPerSession ?? 10,
      version: options.version,
    });
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      eventStore: events,
      keepAliveMs: options.keepAliveMs ?? 15_000,
      onsessioninitialized: (id) => {
        sessions.set(id, { transport, session });
      },
    });
    transport.onclose = () => {
      if (transport.sessionId) sessions.delete(transport.sessionId);
    };
    await session.mcp.connect(transport);
    await transport.handleRequest(req, res, body);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path === '/healthz') {
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok\n');
      return;
    }
    if (path !== '/mcp') {
      reject(res, 404, `no such endpoint ${path}; the MCP endpoint is /mcp`);
      return;
    }
    const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1]?.trim();
    if (!bearer || !timingSafeEqual(digest(bearer), digest(options.token))) {
      reject(res, 401, bearer ? 'wrong bearer token' : 'missing bearer token', {
        'WWW-Authenticate': 'Bearer',
      });
      return;
    }
    const sessionId = req.headers['mcp-session-id'];
    const known = typeof sessionId === 'string' ? sessions.get(sessionId) : undefined;
    if (req.method === 'POST') {
      let body: unknown;
      try {
        body = await readBody(req);
      } catch (error) {
        reject(
          res,
          error instanceof RangeError ? 413 : 400,
          error instanceof RangeError ? error.message : 'the body is not valid JSON',
        );
        return;
      }
      if (known) {
        known.session.lastActivity = Date.now();
        await known.transport.handleRequest(req, res, body);
      } else if (sessionId === undefined && isInitializeRequest(body)) {
        await newSession(req, res, body);
      } else if (sessionId !== undefined) {
        reject(res, 404, 'session not found; start a new session with initialize');
      } else {
        reject(res, 400, 'no Mcp-Session-Id header: start with an initialize request');
      }
      return;
    }
    if (!known) {
      reject(
        res,
        sessionId === undefined ? 400 : 404,
        sessionId === undefined ? 'no Mcp-Session-Id header' : 'session not found',
      );
      return;
    }
    known.session.lastActivity = Date.now();
    await known.transport.handleRequest(req, res);
  }

  const http = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      logger.error({ err: error }, 'MCP request failed');
      if (!res.headersSent) reject(res, 500, 'internal error');
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port, options.host, () => resolve());
  });
  const address = http.address() as AddressInfo;

  const idleMs = options.idleSessionMs ?? 30 * 60_000;
  const sweeper = setInterval(
    () => {
      const now = Date.now();
      for (const [id, { transport, session }] of sessions) {
        if (now - session.lastActivity > idleMs) {
          sessions.delete(id);
          void transport.close();
        }
      }
    },
    Math.min(idleMs, 60_000),
  );
  sweeper.unref();

  return {
    url: `http://${address.address}:${address.port}/mcp`,
    publish(fault) {
      const wasActive = active.has(fault.faultId);
      if (fault.resolved) {
        active.delete(fault.faultId);
        recentlyResolved.set(fault.faultId, fault);
        if (recentlyResolved.size > 10_000) {
          const oldest = recentlyResolved.keys().next();
          if (!oldest.done) recentlyResolved.delete(oldest.value);
        }
      } else {
        active.set(fault.faultId, fault);
      }
      const listChanged = wasActive === fault.resolved;
      for (const { session } of sessions.values()) {
        session.deliver(fault, listChanged).catch((error: unknown) => {
          logger.debug(
            { err: error },
            'fault not pushed to a session (its stream is down; replay covers it)',
          );
        });
      }
    },
    sessions: () => sessions.size,
    async close() {
      clearInterval(sweeper);
      await Promise.all(
        [...sessions.values()].map(({ transport }) => transport.close().catch(() => undefined)),
      );
      sessions.clear();
      await new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      });
    },
  };
}
