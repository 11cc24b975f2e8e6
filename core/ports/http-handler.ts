import type { IncomingMessage, ServerResponse } from 'node:http';

/** A route on Watchkeeper's own HTTP server: answers true when it handled the request. */
export type HttpHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;
