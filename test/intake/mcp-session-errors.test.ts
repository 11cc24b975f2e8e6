/** Which SDK errors recycle an MCP session: decided by class and code, with one pinned message and its canary. */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import {
  StreamableHTTPClientTransport,
  StreamableHTTPError,
} from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ErrorCode, LATEST_PROTOCOL_VERSION, McpError } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { endsSession, exhaustedReconnectsMessage } from '../../listeners/mcp/session-errors.ts';
import { until } from '../fixtures/until.ts';

describe('endsSession', () => {
  it.each([
    [
      'the session is gone (404)',
      new StreamableHTTPError(404, 'Error POSTing to endpoint: Session not found'),
      true,
    ],
    [
      'the token is refused (401)',
      new StreamableHTTPError(401, 'Error POSTing to endpoint: Unauthorized'),
      true,
    ],
    ['access is forbidden (403)', new StreamableHTTPError(403, 'Server returned 403'), true],
    [
      'a passing server error (500)',
      new StreamableHTTPError(500, 'Failed to open SSE stream: 404 pages'),
      false,
    ],
    ['an unexpected content type', new StreamableHTTPError(-1, 'Unexpected content type: text/html'), false],
    ['authorization failed', new UnauthorizedError('Failed to authorize'), true],
    ['the connection closed', new McpError(ErrorCode.ConnectionClosed, 'Connection closed'), true],
    ['a refused request', new McpError(ErrorCode.InvalidParams, 'bad params mentioning 404'), false],
    ['reconnects exhausted', new Error('Maximum reconnection attempts (5) exceeded.'), true],
    [
      'a stream blip the client recovers from',
      new Error('SSE stream disconnected: TypeError: terminated'),
      false,
    ],
    ['not an error at all', '404 Session not found', false],
  ])('%s → %s', (_, error, expected) => {
    expect(endsSession(error)).toBe(expected);
  });
});

/** The canary: the real SDK transport, made to exhaust its SSE reconnects against a loopback server. */
describe('the pinned exhausted-reconnects message', () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  it('is what the SDK says when its stream gives up reconnecting', async () => {
    let gets = 0;
    server = createServer((req, res) => {
      if (req.method === 'GET') {
        gets += 1;
        // the first stream ends at once (the client reconnects), every reconnect fails
        if (gets === 1) res.writeHead(200, { 'content-type': 'text/event-stream' }).end();
        else res.writeHead(500).end();
        return;
      }
      void readJson(req).then((message) => {
        if (message.id === undefined) {
          res.writeHead(202).end();
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json', 'mcp-session-id': 'canary' });
        res.end(
          JSON.stringify({
            jsonrpc: '2.0',
            id: message.id,
            result: {
              protocolVersion: LATEST_PROTOCOL_VERSION,
              capabilities: {},
              serverInfo: { name: 'canary', version: '1' },
            },
          }),
        );
      });
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const transport = new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/mcp`), {
      reconnectionOptions: {
        initialReconnectionDelay: 10,
        maxReconnectionDelay: 10,
        reconnectionDelayGrowFactor: 1,
        maxRetries: 2,
      },
    });
    const client = new Client({ name: 'canary', version: '1' }, { capabilities: {} });
    const errors: unknown[] = [];
    client.onerror = (error) => errors.push(error);
    await client.connect(transport);
    try {
      await until('the SDK gave up reconnecting', () =>
        errors.some((e) => e instanceof Error && e.message.includes('reconnection')),
      );
      const exhausted = errors.filter((e) => e instanceof Error && /maximum reconnection/i.test(e.message));
      expect(
        exhausted,
        `the SDK's message changed: update exhaustedReconnectsMessage (${String(errors)})`,
      ).toHaveLength(1);
      expect((exhausted[0] as Error).message.startsWith(exhaustedReconnectsMessage)).toBe(true);
      expect(endsSession(exhausted[0])).toBe(true);
      // the failures on the way there are the client's to recover from
      expect(errors.filter(endsSession)).toHaveLength(1);
    } finally {
      await client.close();
    }
  });
});

async function readJson(req: IncomingMessage): Promise<{ id?: unknown }> {
  let body = '';
  for await (const chunk of req) body += String(chunk);
  return JSON.parse(body) as { id?: unknown };
}
