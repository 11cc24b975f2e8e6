/**
 * Which SDK errors mean the MCP session is beyond the client's own recovery and must be recycled (a new
 * initialize). Decided by the SDK's error classes and codes; its exhausted-reconnect error has no class, so
 * that one message is pinned here and a canary test (test/intake/mcp-session-errors.test.ts) fails when the
 * SDK changes it.
 */
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';

/** The start of the SDK's message when its SSE stream gave up reconnecting (client/streamableHttp.js). */
export const exhaustedReconnectsMessage = 'Maximum reconnection attempts';

/** HTTP statuses after which the session cannot go on: gone (404) or refused (401, 403). */
const sessionEndingStatuses = new Set([401, 403, 404]);

export function endsSession(error: unknown): boolean {
  if (error instanceof StreamableHTTPError)
    return error.code !== undefined && sessionEndingStatuses.has(error.code);
  if (error instanceof UnauthorizedError) return true;
  if (error instanceof McpError) return error.code === (ErrorCode.ConnectionClosed as number);
  return error instanceof Error && error.message.startsWith(exhaustedReconnectsMessage);
}
