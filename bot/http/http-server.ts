import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError } from '../../core/domain/errors.ts';
import type { HttpHandler } from '../../core/ports/http-handler.ts';
import type { Logger } from '../../core/ports/logger.ts';

export interface HttpServer {
  /** `http://host:port` as bound (the real port when 0 was asked for). */
  readonly url: string;
  /** Handlers are tried in order after the health routes; the first to answer true has handled the request. */
  use(handler: HttpHandler): void;
  setReady(ready: boolean): void;
  close(): Promise<void>;
}

/** The Prometheus exposition served at `/metrics`. */
export type MetricsSource = () => Promise<{ readonly contentType: string; readonly body: string }>;

export const metricsPath = '/metrics';

/** Watchkeeper's own HTTP server: health probes, metrics, report links, webhooks and the Slack receiver. */
export async function startHttpServer(options: {
  host: string;
  port: number;
  logger: Logger;
  /** When set, `GET /metrics` answers with it. */
  metrics?: MetricsSource;
}): Promise<HttpServer> {
  const handlers: HttpHandler[] = [];
  let ready = false;

  const server = createServer((req, res) => {
    void route(req, res).catch((error: unknown) => {
      options.logger.error({ err: error, path: req.url }, 'HTTP handler failed');
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end('internal error\n');
    });
  });

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path === '/healthz') {
      text(res, 200, 'ok');
    } else if (path === '/readyz') {
      text(res, ready ? 200 : 503, ready ? 'ready' : 'starting');
    } else if (path === metricsPath && options.metrics) {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.setHeader('Allow', 'GET, HEAD');
        text(res, 405, 'metrics are read with GET');
        return;
      }
      const { contentType, body } = await options.metrics();
      res.writeHead(200, { 'Content-Type': contentType, 'Cache-Control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : body);
    } else {
      for (const handler of handlers) if (await handler(req, res)) return;
      text(res, 404, 'not found');
    }
  }

  await listen(server, options.host, options.port);
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    use: (handler) => handlers.push(handler),
    setReady: (value) => {
      ready = value;
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function text(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(`${body}\n`);
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      const problem =
        error.code === 'EADDRINUSE'
          ? `${host}:${port} is already in use; stop the other process or choose another server.port`
          : error.code === 'EADDRNOTAVAIL'
            ? `${host} is not an address of this machine; check server.host`
            : `cannot listen on ${host}:${port}: ${error.message}`;
      reject(
        new ConfigError(error.code === 'EADDRNOTAVAIL' ? 'server.host' : 'server.port', problem, {
          cause: error,
        }),
      );
    });
    server.listen(port, host, () => resolve());
  });
}
