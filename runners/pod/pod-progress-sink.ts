/**
 * Where the pod's progress events go: each one as a JSON line on stdout (always: the pod log is the fallback
 * Watchkeeper reads, labelled delayed, when NATS is not configured or fails), and to NATS when configured, with
 * `Nats-Msg-Id: <runId>:<seq>` so JetStream drops a duplicate. Core publish + flush: the run's credential may not
 * subscribe, so there are no JetStream acks to wait for. After the first NATS failure the rest goes to stdout
 * only (a hole in the NATS sequence would read as lost events), and the reason is kept for run.json.
 */
import { connect, credsAuthenticator, headers, type NatsConnection } from '@nats-io/transport-node';
import type { ProgressEvent } from '../../core/domain/progress.ts';
import { progressMsgId, type ProgressSink } from '../progress/progress-publisher.ts';

export interface PodProgressState {
  readonly via: 'nats' | 'stdout';
  readonly events: number;
  readonly natsError?: string;
}

export interface PodProgressSink {
  readonly sink: ProgressSink;
  state(): PodProgressState;
  close(): Promise<void>;
}

const flushTimeoutMs = 5_000;

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function connectNats(
  servers: readonly string[],
  creds: string | undefined,
  runId: string,
): Promise<NatsConnection> {
  return connect({
    servers: [...servers],
    name: `watchkeeper-pod-${runId}`,
    timeout: flushTimeoutMs,
    maxReconnectAttempts: 10,
    ...(creds !== undefined && { authenticator: credsAuthenticator(new TextEncoder().encode(creds)) }),
  });
}

export async function openPodProgressSink(options: {
  readonly runId: string;
  readonly subject: string;
  readonly servers: readonly string[] | undefined;
  readonly creds: string | undefined;
  readonly writeLine?: (line: string) => void;
  readonly warn?: (message: string) => void;
}): Promise<PodProgressSink> {
  const writeLine = options.writeLine ?? ((line: string) => process.stdout.write(`${line}\n`));
  const warn = options.warn ?? (() => undefined);
  let natsError: string | undefined;
  let events = 0;
  let nc: NatsConnection | undefined;

  const giveUp = (reason: string) => {
    if (natsError !== undefined) return;
    natsError = reason;
    warn(`NATS: ${reason}; progress goes to the pod log only from here on`);
  };

  if (!options.servers || options.servers.length === 0) natsError = 'NATS is not configured for this run';
  else {
    try {
      nc = await connectNats(options.servers, options.creds, options.runId);
    } catch (error) {
      giveUp(`unreachable at ${options.servers.join(', ')}: ${(error as Error).message}`);
    }
  }
  const connection = nc;
  if (connection) {
    // Permission violations and an expired credential arrive as asynchronous server errors.
    void (async () => {
      for await (const status of connection.status())
        if (status.type === 'error') giveUp(`the server refused: ${status.error.message}`);
    })().catch(() => undefined);
    void connection.closed().then((error) => {
      if (error) giveUp(`connection closed: ${error.message}`);
    });
  }

  async function publish(event: ProgressEvent, line: string): Promise<void> {
    if (!connection || natsError !== undefined) return;
    try {
      const h = headers();
      h.set('Nats-Msg-Id', progressMsgId(event));
      connection.publish(options.subject, line, { headers: h });
      await withTimeout(connection.flush(), flushTimeoutMs, 'the NATS server');
    } catch (error) {
      giveUp(`publishing event ${event.seq} failed: ${(error as Error).message}`);
    }
  }

  return {
    async sink(event) {
      const line = JSON.stringify(event);
      writeLine(line);
      events += 1;
      await publish(event, line);
    },
    state: () => ({
      via: connection && natsError === undefined ? 'nats' : 'stdout',
      events,
      ...(natsError !== undefined && { natsError }),
    }),
    async close() {
      if (!connection) return;
      await withTimeout(connection.drain(), flushTimeoutMs, 'draining NATS').catch(() =>
        connection.close().catch(() => undefined),
      );
    },
  };
}
