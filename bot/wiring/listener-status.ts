/** `GET /status/listeners`: each MCP server's connection state, for `watchkeeper listeners` and dashboards. */
import type { HttpHandler } from '../../core/ports/http-handler.ts';
import type { SourceState } from '../../listeners/mcp/mcp-fault-source.ts';

export const listenerStatusPath = '/status/listeners';

export function listenerStatusRoute(states: () => readonly SourceState[]): HttpHandler {
  return (req, res) => {
    if (new URL(req.url ?? '/', 'http://localhost').pathname !== listenerStatusPath)
      return Promise.resolve(false);
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(`${JSON.stringify({ servers: states() }, null, 2)}\n`);
    return Promise.resolve(true);
  };
}
