/** A network blip between the listener and `watchkeeper emit`: the stream resumes with Last-Event-ID. */
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Fault } from '../../core/domain/fault.ts';
import { startEmitServer, type EmitServer } from '../../listeners/mcp/emit-server.ts';
import { McpFaultSource } from '../../listeners/mcp/mcp-fault-source.ts';
import { makeFault } from '../fixtures/domain.ts';
import { silentLogger } from '../fixtures/logger.ts';
import { until } from '../fixtures/until.ts';

/** A TCP proxy whose connections can be cut, as a flaky network would. */
async function startProxy(target: number): Promise<{ port: number; cut(): void; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(target, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => s.destroy());
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    port: (server.address() as AddressInfo).port,
    cut: () => {
      for (const s of sockets) s.destroy();
    },
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

describe('watchkeeper emit replays what a listener missed during a network blip', () => {
  let emit: EmitServer;
  let proxy: Awaited<ReturnType<typeof startProxy>>;
  let source: McpFaultSource;
  const received: Fault[] = [];

  beforeAll(async () => {
    emit = await startEmitServer({
      cluster: 'c',
      token: 't',
      host: '127.0.0.1',
      port: 0,
      logger: silentLogger,
      version: 'test',
    });
    proxy = await startProxy(Number(new URL(emit.url).port));
    source = new McpFaultSource(
      {
        name: 'blip',
        url: `http://127.0.0.1:${proxy.port}/mcp`,
        token: 't',
        mechanism: 'logging',
        pingIntervalMs: 600_000,
      },
      (fault) => {
        received.push(fault);
        return Promise.resolve();
      },
      silentLogger,
    );
    void source.run();
    await until('connected', () => source.current().status === 'connected');
  });
  afterAll(async () => {
    await source.stop();
    await proxy.close();
    await emit.close();
  });

  it('delivers a fault raised while the stream was cut, in the same session (no re-initialize)', async () => {
    emit.publish(makeFault({ faultId: 'before-cut' }));
    await until('first fault', () => received.length === 1);
    const connects = source.current().connects;
    proxy.cut();
    emit.publish(makeFault({ faultId: 'during-cut' }));
    await until(
      'fault raised during the cut',
      () => received.some((f) => f.faultId === 'during-cut'),
      20_000,
    );
    expect(source.current().connects).toBe(connects);
    expect(received.map((f) => f.faultId)).toEqual(['before-cut', 'during-cut']);
  });
});
