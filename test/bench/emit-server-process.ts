/** An emit server in its own process (no cluster), so the bench measures the listener's memory alone. */
import { startEmitServer } from '../../listeners/mcp/emit-server.ts';
import { silentLogger } from '../fixtures/logger.ts';

const server = await startEmitServer({
  cluster: 'bench',
  token: process.env.EMIT_TOKEN ?? 'bench',
  host: '127.0.0.1',
  port: 0,
  logger: silentLogger,
  version: 'bench',
  maxSessions: 2_000,
});
process.stdout.write(`${server.url}\n`);
process.once('SIGTERM', () => {
  void server.close().then(() => process.exit(0));
});
