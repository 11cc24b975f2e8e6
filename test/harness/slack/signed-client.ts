/**
 * Sends Slack's requests to a Bolt app in HTTP mode the way Slack does: form-encoded slash commands and
 * interaction payloads, JSON events, each signed `v0=HMAC-SHA256(secret, "v0:<ts>:<body>")`. Options forge
 * the signature or age the timestamp, to check that Bolt refuses them.
 */
import { createHmac } from 'node:crypto';

export interface SignOptions {
  /** Seconds since the epoch; default now. */
  readonly timestamp?: number;
  /** Sign with this secret instead (a forged request). */
  readonly secret?: string;
}

export interface SlackRequestResult {
  readonly status: number;
  readonly body: string;
  /** The body as JSON, when it is. */
  readonly json: Record<string, unknown> | undefined;
}

export interface SignedSlackClient {
  command(fields: Record<string, string>, options?: SignOptions): Promise<SlackRequestResult>;
  interaction(payload: Record<string, unknown>, options?: SignOptions): Promise<SlackRequestResult>;
  event(body: Record<string, unknown>, options?: SignOptions): Promise<SlackRequestResult>;
}

export function signedSlackClient(url: string, signingSecret: string): SignedSlackClient {
  async function send(
    body: string,
    contentType: string,
    options: SignOptions = {},
    headers: Record<string, string> = {},
  ): Promise<SlackRequestResult> {
    const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
    const signature = createHmac('sha256', options.secret ?? signingSecret)
      .update(`v0:${timestamp}:${body}`)
      .digest('hex');
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': contentType,
        'x-slack-request-timestamp': String(timestamp),
        'x-slack-signature': `v0=${signature}`,
        ...headers,
      },
      body,
    });
    const text = await response.text();
    let json: Record<string, unknown> | undefined;
    try {
      json = text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>);
    } catch {
      json = undefined;
    }
    return { status: response.status, body: text, json };
  }
  const form = 'application/x-www-form-urlencoded';
  return {
    command: (fields, options) => send(new URLSearchParams(fields).toString(), form, options),
    interaction: (payload, options) =>
      send(new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), form, options),
    event: (body, options) => send(JSON.stringify(body), 'application/json', options),
  };
}
