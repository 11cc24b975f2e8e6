/**
 * A stand-in for kubernetes-mcp-server-with-events (Go): its tools, its Markdown-wrapped subscription result,
 * fault notifications with logger "kubernetes/faults", and the Go SDK's habit of sending no log message before
 * `logging/setLevel`. Tests push whatever `data` they want, including malformed data.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import {
  CallToolRequestSchema,
  ListToolsRequestSchema,
  SetLevelRequestSchema,
  isInitializeRequest,
} from '@modelcontextprotocol/sdk/types.js';

export interface ForkFake {
  readonly url: string;
  /** Sends one `notifications/message` to every session that set a level and subscribed. */
  emit(data: unknown): Promise<void>;
  subscribed(): number;
  /** How many sessions clients have initialized (each retry of a failing client is one more). */
  initializes(): number;
  /** Forgets every session, as a server whose sessions time out: their next request gets 404. */
  expireSessions(): void;
  close(): Promise<void>;
}

export async function startForkFake(): Promise<ForkFake> {
  const sessions = new Map<
    string,
    { mcp: McpServer; transport: StreamableHTTPServerTransport; level?: string; subscription?: string }
  >();
  let initializes = 0;

  function newSession(): { mcp: McpServer; transport: StreamableHTTPServerTransport } {
    const mcp = new McpServer(
      { name: 'kubernetes-mcp-server', version: '0.0.50' },
      { capabilities: { logging: {}, tools: {} } },
    );
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id): void => {
        sessions.set(id, { mcp, transport });
      },
    });
    const state = () => (transport.sessionId ? sessions.get(transport.sessionId) : undefined);
    // A client that ends its session (DELETE) or drops it is forgotten, as the fork's session monitor does.
    mcp.server.onclose = () => {
      if (transport.sessionId) sessions.delete(transport.sessionId);
    };
    mcp.server.setRequestHandler(SetLevelRequestSchema, (request) => {
      const s = state();
      if (s) s.level = request.params.level;
      return {};
    });
    mcp.server.setRequestHandler(ListToolsRequestSchema, () => ({
      tools: ['events_subscribe', 'events_unsubscribe', 'events_list_subscriptions', 'events_list'].map(
        (name) => ({
          name,
          inputSchema: { type: 'object' as const, properties: {} },
        }),
      ),
    }));
    mcp.server.setRequestHandler(CallToolRequestSchema, (request) => {
      const s = state();
      if (request.params.name !== 'events_subscribe' || !s)
        return { content: [{ type: 'text', text: '{}' }] };
      s.subscription = `sub-${randomUUID().slice(0, 8)}`;
      const body = {
        subscriptionId: s.subscription,
        cluster: 'kind-prod',
        mode: 'faults',
        filters: {},
        createdAt: new Date().toISOString(),
        status: 'active',
      };
      return {
        content: [
          {
            type: 'text',
            text: `# Event Subscription Created\n\n${JSON.stringify(body, null, 2)}\n\nYou will receive fault notifications.`,
          },
        ],
      };
    });
    return { mcp, transport };
  }

  const http: HttpServer = createServer((req, res) => {
    void (async () => {
      const id = req.headers['mcp-session-id'];
      const known = typeof id === 'string' ? sessions.get(id) : undefined;
      if (req.method === 'POST') {
        const chunks: Buffer[] = [];
        for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
        if (known) return known.transport.handleRequest(req, res, body);
        if (isInitializeRequest(body)) {
          initializes += 1;
          const fresh = newSession();
          await fresh.mcp.connect(fresh.transport);
          return fresh.transport.handleRequest(req, res, body);
        }
        res.writeHead(404).end();
        return;
      }
      if (known) return known.transport.handleRequest(req, res);
      res.writeHead(404).end();
    })();
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', () => resolve()));
  const { port } = http.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/mcp`,
    async emit(data) {
      for (const s of sessions.values()) {
        if (!s.level || !s.subscription) continue; // as the Go SDK: no logs before setLevel
        const payload =
          typeof data === 'object' && data !== null ? { subscriptionId: s.subscription, ...data } : data;
        await s.mcp.server.notification({
          method: 'notifications/message',
          params: { level: 'warning', logger: 'kubernetes/faults', data: payload },
        });
      }
    },
    subscribed: () => [...sessions.values()].filter((s) => s.subscription).length,
    initializes: () => initializes,
    expireSessions: () => {
      sessions.clear();
    },
    async close() {
      for (const s of sessions.values()) await s.transport.close();
      await new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      });
    },
  };
}
