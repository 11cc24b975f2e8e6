/** A local MCP fault server over stdio (our emit session with one fault that holds), for the stdio listener test. */
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { EmitSession } from '../../listeners/mcp/emit-session.ts';
import { makeFault } from '../fixtures/domain.ts';

const fault = makeFault({ faultId: 'stdio-fault-1', cluster: 'local' });
const session = new EmitSession(
  { cluster: 'local', active: () => [fault], find: (id) => (id === fault.faultId ? fault : undefined) },
  { maxSubscriptions: 10, version: 'test' },
);
await session.mcp.connect(new StdioServerTransport());
