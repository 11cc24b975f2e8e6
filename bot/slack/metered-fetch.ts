/**
 * Counts every HTTP request the Slack Web API client makes, by method and result, by wrapping the `fetch` it is
 * given: the one place all its calls pass through (Bolt's own client and the ones it makes per team alike), each
 * retry and each 429 included.
 */
import type { FetchFunction } from '@slack/web-api';
import type { Metrics, SlackCallResult } from '../../core/ports/metrics.ts';

export function meteredSlackFetch(
  metrics: Pick<Metrics, 'slackCall'>,
  base: typeof globalThis.fetch = globalThis.fetch,
): FetchFunction {
  return async (url, init) => {
    const method = methodOf(url);
    let response: Response;
    try {
      response = await base(url, init);
    } catch (error) {
      metrics.slackCall(method, 'error');
      throw error;
    }
    metrics.slackCall(method, await resultOf(response));
    return response;
  };
}

/** `https://slack.com/api/chat.postMessage` → `chat.postMessage` (the counter maps odd names to `other`). */
function methodOf(url: string | URL): string {
  const path = (typeof url === 'string' ? new URL(url) : url).pathname;
  return path.slice(path.lastIndexOf('/') + 1);
}

/** Slack answers most refusals with HTTP 200 and `ok: false`; its body says which. */
async function resultOf(response: Response): Promise<SlackCallResult> {
  if (response.status === 429) return 'rate_limited';
  if (!response.ok) return 'error';
  try {
    const body = (await response.clone().json()) as { ok?: unknown; error?: unknown };
    if (body.ok === true) return 'ok';
    return body.error === 'ratelimited' || body.error === 'rate_limited' ? 'rate_limited' : 'error';
  } catch {
    return 'error';
  }
}
