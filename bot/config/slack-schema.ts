/**
 * The Slack section. Slack is on when WATCHKEEPER_SLACK_BOT_TOKEN is set; Socket Mode also needs
 * WATCHKEEPER_SLACK_APP_TOKEN, HTTP mode WATCHKEEPER_SLACK_SIGNING_SECRET.
 */
import { z } from 'zod';
import { faultClasses } from '../../core/domain/fault.ts';
import { severities } from '../../core/domain/severity.ts';

const channelId = z
  .string()
  .regex(/^[CG][A-Z0-9]{2,}$/, 'a Slack channel id such as C0123ABCD (channel details → copy channel ID)');
const principal = z
  .string()
  .regex(
    /^(\*|[UW][A-Z0-9]{2,}|S[A-Z0-9]{2,})$/,
    'a Slack user id (U…/W…), a user group id (S…), or * for everyone',
  );
const principals = z.array(principal).min(1);

export const slackActions = ['triage', 'rerun', 'ask', 'resolve', 'mute'] as const;
export type SlackAction = (typeof slackActions)[number];

const RouteSchema = z.strictObject({
  channel: channelId,
  clusters: z.array(z.string().min(1)).min(1).optional(),
  /** Namespace names; `*` matches any run of characters (`team-*`). */
  namespaces: z.array(z.string().min(1)).min(1).optional(),
  severities: z.array(z.enum(severities)).min(1).optional(),
  classes: z.array(z.enum(faultClasses)).min(1).optional(),
});

export const SlackSchema = z
  .strictObject({
    /** `socket` (outbound WebSocket, no public URL needed) or `http` (Slack calls <publicUrl>/slack/events). */
    mode: z.enum(['socket', 'http']).default('socket'),
    /** Where incidents go when no route matches. Required when Slack is on. */
    defaultChannel: channelId.optional(),
    /** First match wins. */
    routes: z.array(RouteSchema).default([]),
    /** Who may do what from Slack; each defaults to everyone in the workspace (`*`). */
    access: z
      .strictObject({
        triage: principals.default(['*']),
        rerun: principals.default(['*']),
        ask: principals.default(['*']),
        resolve: principals.default(['*']),
        mute: principals.default(['*']),
      })
      .prefault({}),
    /**
     * Prefix of the durable bus consumers that feed Slack. Replicas of one Watchkeeper share them (each change
     * is shown once); separate Watchkeepers on one NATS need their own.
     */
    consumerName: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,40}$/, 'lowercase letters, digits and hyphens')
      .default('slack'),
    /** Slack calls one incident may make per minute (card, progress, replies); more wait for the window. */
    callsPerMinutePerIncident: z.number().int().min(5).max(120).default(20),
    /** Slack Web API base URL, for Enterprise Grid proxies and tests. */
    apiUrl: z.url().optional(),
    progress: z
      .strictObject({
        /** Edits of one progress message come at most this often (chat.update is ~50/min per workspace). */
        minUpdateIntervalMs: z.number().int().min(200).max(60_000).default(1_500),
        /** Timeline lines shown; older steps are counted, the full transcript is in the report store. */
        maxLines: z.number().int().min(5).max(40).default(15),
        /**
         * Stream the progress of runs a person asked for with Slack's streaming API (task timeline); falls
         * back to edits when the workspace refuses it. Alert-triggered runs always use edits.
         */
        streaming: z.boolean().default(true),
      })
      .prefault({}),
  })
  .prefault({});
export type SlackFile = z.infer<typeof SlackSchema>;
