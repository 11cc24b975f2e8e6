/**
 * Many incidents at once, each triaged by a chatty scripted agent, against the Slack emulator: shared by the
 * storm test and `npm run bench:slack`. Faults go straight into the intake (each pod in its own namespace, so
 * nothing folds); the thread of each incident is then read back from the emulator.
 */
import { fileURLToPath } from 'node:url';
import type { Fault } from '../../core/domain/fault.ts';
import type { EmulatedMessage, RecordedCall } from '../harness/slack/slack-api-emulator.ts';
import { makeFault } from '../fixtures/domain.ts';
import type { SlackRuntime } from './slack-runtime.ts';

const chattyAgent = fileURLToPath(new URL('agents/chatty-agent.mjs', import.meta.url));

/** Configuration for `incidents` chatty runs that may all run at once. */
export function stormSettings(incidents: number, agent: { steps: number; delayMs: number }) {
  return {
    incidents: {
      caps: {
        maxConcurrentRuns: incidents,
        maxConcurrentRunsPerCluster: incidents,
        maxRunStartsPerMinute: incidents * 2,
      },
      burst: { threshold: incidents * 2 },
    },
    agents: {
      default: 'chatty',
      profiles: {
        chatty: {
          command: process.execPath,
          args: [chattyAgent, '{reportFile}'],
          env: { STEPS: String(agent.steps), DELAY_MS: String(agent.delayMs) },
        },
      },
    },
  };
}

export function stormFault(index: number, run: string): Fault {
  return makeFault({
    cluster: 'harness',
    faultId: `storm-${run}-${index}`,
    resource: {
      apiVersion: 'v1',
      kind: 'Pod',
      namespace: `storm-${run}-${index}`,
      name: `api-${index}`,
      uid: `uid-${run}-${index}`,
    },
    context: { reason: 'CrashLoopBackOff', message: 'back-off', restartCount: 3 },
    observedAt: new Date(),
  });
}

export interface IncidentThread {
  readonly card: EmulatedMessage;
  readonly replies: readonly EmulatedMessage[];
  /** Every Web API call about this thread (posts into it, edits of its messages), 429s included. */
  readonly calls: readonly RecordedCall[];
}

export function threadsOf(wk: SlackRuntime, channel: string): IncidentThread[] {
  const cards = wk.slack.messages.filter((m) => m.channel === channel && m.threadTs === undefined);
  return cards.map((card) => {
    const replies = wk.slack.messages.filter((m) => m.threadTs === card.ts);
    const own = new Set([card.ts, ...replies.map((r) => r.ts)]);
    const calls = wk.slack.calls.filter(
      (call) => call.args.thread_ts === card.ts || own.has(String(call.args.ts)) || call.body?.ts === card.ts,
    );
    return { card, replies, calls };
  });
}

export const messageText = (message: EmulatedMessage | undefined): string =>
  message ? `${message.text}\n${JSON.stringify(message.blocks)}` : '';
