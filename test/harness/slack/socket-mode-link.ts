/**
 * Slack's side of Socket Mode for the emulator: `apps.connections.open` hands out a WebSocket URL on the
 * emulator's own port; a client that connects gets `hello`, and `send()` delivers an envelope (a slash command,
 * an interaction, an event) and resolves with the client's acknowledgement payload, as Slack would use it.
 */
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';

export type EnvelopeType = 'slash_commands' | 'interactive' | 'events_api';

export interface SocketModeLink {
  /** The URL `apps.connections.open` answers with. */
  url(): string;
  /** Resolves once a client has connected and been greeted. */
  connected(timeoutMs?: number): Promise<void>;
  send(
    type: EnvelopeType,
    payload: Record<string, unknown>,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
  close(): void;
}

export function attachSocketModeLink(server: Server, port: () => number): SocketModeLink {
  const wss = new WebSocketServer({ noServer: true });
  const sockets = new Set<WebSocket>();
  const acks = new Map<string, (payload: Record<string, unknown>) => void>();
  server.on('upgrade', (request, socket, head) => {
    if (!(request.url ?? '').startsWith('/link/')) {
      socket.destroy();
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
      ws.on('message', (data: Buffer) => {
        const message = JSON.parse(data.toString('utf8')) as {
          envelope_id?: string;
          payload?: Record<string, unknown>;
        };
        if (message.envelope_id) acks.get(message.envelope_id)?.(message.payload ?? {});
      });
      ws.send(JSON.stringify({ type: 'hello', num_connections: 1, connection_info: { app_id: 'A0001' } }));
    });
  });
  const until = async (check: () => boolean, what: string, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`Socket Mode: ${what} within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  return {
    url: () => `ws://127.0.0.1:${port()}/link/?ticket=${randomUUID()}`,
    connected: (timeoutMs = 10_000) => until(() => sockets.size > 0, 'no client connected', timeoutMs),
    async send(type, payload, timeoutMs = 10_000) {
      const [socket] = sockets;
      if (!socket) throw new Error('Socket Mode: no client is connected');
      const envelopeId = randomUUID();
      const acked = new Promise<Record<string, unknown>>((resolve) => acks.set(envelopeId, resolve));
      socket.send(JSON.stringify({ envelope_id: envelopeId, type, payload, accepts_response_payload: true }));
      let answer: Record<string, unknown> | undefined;
      void acked.then((value) => {
        answer = value;
      });
      await until(() => answer !== undefined, `no acknowledgement of ${type}`, timeoutMs);
      acks.delete(envelopeId);
      return answer ?? {};
    },
    close() {
      for (const socket of sockets) socket.terminate();
      wss.close();
    },
  };
}
