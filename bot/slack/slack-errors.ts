/**
 * Slack Web API failures, classified once where they enter: by the client's error classes, never by message.
 * The one table of what a person must do about a refusal lives here too.
 */
import {
  WebAPIHTTPError,
  WebAPIPlatformError,
  WebAPIRateLimitedError,
  WebAPIRequestError,
} from '@slack/web-api';

export type SlackFailure =
  /** Slack answered `ok: false` with an error code (`not_in_channel`, `missing_scope`, …). */
  | { readonly kind: 'refused'; readonly code: string; readonly hint: string | undefined }
  /** Still rate limited after the client waited out its Retry-After. */
  | { readonly kind: 'rate_limited'; readonly retryAfterMs: number }
  /** An HTTP status without a Slack answer (5xx from Slack or a proxy). */
  | { readonly kind: 'http'; readonly status: number }
  /** No answer at all (DNS, TLS, connection refused). */
  | { readonly kind: 'unreachable'; readonly message: string };

const hints: Readonly<Record<string, string>> = {
  not_in_channel:
    'invite the bot into the channel (/invite @Watchkeeper) or fix slack.routes / slack.defaultChannel',
  channel_not_found:
    'invite the bot into the channel (/invite @Watchkeeper) or fix slack.routes / slack.defaultChannel',
  is_archived: 'the channel is archived: unarchive it or fix slack.routes / slack.defaultChannel',
  missing_scope: 'reinstall the app from deploy/slack/manifest.yaml (a scope is missing)',
  not_allowed_token_type: 'WATCHKEEPER_SLACK_BOT_TOKEN must be a bot token (xoxb-…)',
  invalid_auth: 'copy the bot token again from OAuth & Permissions and check the app is installed',
  not_authed: 'set WATCHKEEPER_SLACK_BOT_TOKEN to the bot token from OAuth & Permissions',
  account_inactive: 'the app was uninstalled or its token revoked: reinstall it and copy the new bot token',
  token_revoked: 'the app was uninstalled or its token revoked: reinstall it and copy the new bot token',
};

/** What a person must do about a refusal code, when there is something to do. */
export function slackHint(code: string): string | undefined {
  return Object.hasOwn(hints, code) ? hints[code] : undefined;
}

/** The failure, when `error` came from the Slack Web API client; undefined for anything else. */
export function classifySlackError(error: unknown): SlackFailure | undefined {
  if (error instanceof WebAPIPlatformError) {
    const code = error.data.error;
    return { kind: 'refused', code, hint: slackHint(code) };
  }
  if (error instanceof WebAPIRateLimitedError)
    return { kind: 'rate_limited', retryAfterMs: error.retryAfter * 1_000 };
  if (error instanceof WebAPIHTTPError) return { kind: 'http', status: error.statusCode };
  if (error instanceof WebAPIRequestError) return { kind: 'unreachable', message: error.original.message };
  return undefined;
}

/** The refusal code, when Slack refused the call (`ok: false`). */
export function slackRefusal(error: unknown): string | undefined {
  const failure = classifySlackError(error);
  return failure?.kind === 'refused' ? failure.code : undefined;
}
