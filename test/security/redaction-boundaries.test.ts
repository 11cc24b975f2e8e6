/**
 * One redaction at every boundary, against the real stack: a webhook alert, an MCP fault (the fork's format and
 * Watchkeeper's own), an agent's tool output and report, and a crashing agent's stderr and last words, each
 * carrying every secret form (test/fixtures/secret-forms.ts). Afterwards not one secret may be found in the
 * Slack emulator's calls, the database, the S3 objects, the NATS streams or Watchkeeper's debug-level log.
 */
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faultFromWire } from '../../listeners/mcp/from-wire.ts';
import { secretForms } from '../fixtures/secret-forms.ts';
import { until } from '../fixtures/until.ts';
import { harness } from '../harness/use.ts';
import { dumpDatabase } from './dump-database.ts';
import { startRedactionRuntime, webhookToken, type RedactionRuntime } from './redaction-runtime.ts';

const leakyAgent = fileURLToPath(new URL('agents/leaky-agent.mjs', import.meta.url));
const texts = secretForms.map((f) => f.text);
const secrets = secretForms.flatMap((f) => f.secrets);

/** Each secret as found, also as it reads JSON-escaped (a private key's newlines) or URL-encoded. */
function leaks(haystack: string): string[] {
  return secrets.filter(
    (s) =>
      haystack.includes(s) ||
      haystack.includes(JSON.stringify(s).slice(1, -1)) ||
      haystack.includes(encodeURIComponent(s)) ||
      // a long secret cut by one of our bounds still leaks its middle
      (s.length > 40 && haystack.includes(s.slice(16, 36))),
  );
}

async function s3Objects(prefix: string): Promise<string> {
  const s3 = harness('s3');
  const client = new S3Client({
    endpoint: s3.endpoint,
    region: s3.region,
    forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
  });
  const listed = await client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: prefix }));
  const bodies: string[] = [];
  for (const object of listed.Contents ?? []) {
    const got = await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: object.Key }));
    bodies.push(`-- ${object.Key}`, (await got.Body?.transformToString('utf8')) ?? '');
  }
  client.destroy();
  return bodies.join('\n');
}

/**
 * Every message on the harness's NATS server (the last 5,000 of each stream) about this test's incidents and
 * runs: the server is shared, and earlier runs of this file published the same (seeded) secrets.
 */
async function natsMessages(ids: readonly string[]): Promise<string> {
  const nc = await connect({ servers: harness('nats').url });
  try {
    const jsm = await jetstreamManager(nc);
    const out: string[] = [];
    for await (const stream of jsm.streams.list()) {
      const { first_seq: first, last_seq: last } = stream.state;
      for (let seq = Math.max(first, last - 5_000); seq <= last && last > 0; seq++) {
        const message = await jsm.streams.getMessage(stream.config.name, { seq }).catch(() => null);
        if (message && ids.some((id) => message.subject.includes(id)))
          out.push(`${message.subject} ${message.string()}`);
      }
    }
    return out.join('\n');
  } finally {
    await nc.close();
  }
}

async function idsOf(url: string): Promise<string[]> {
  const sql = postgres(url, { max: 1, onnotice: () => undefined });
  try {
    const rows = await sql<{ id: string }[]>`select id from incidents union all select id::text from runs`;
    return rows.map((r) => r.id);
  } finally {
    await sql.end();
  }
}

describe('redaction at every boundary', () => {
  let wk: RedactionRuntime;

  beforeAll(async () => {
    const secretFile = join(tmpdir(), `wk-secret-forms-${process.pid}.json`);
    await writeFile(secretFile, JSON.stringify(texts));
    wk = await startRedactionRuntime({
      default: 'leaky',
      profiles: {
        leaky: {
          command: process.execPath,
          // A path named in the arguments is what the local sandbox lets the agent read.
          args: [leakyAgent, '{reportFile}', secretFile],
        },
      },
    });
  });
  afterAll(() => wk.stop());

  it('lets no secret out of a webhook alert, an MCP fault, a report, tool output or a crashing agent', async () => {
    const { runtime } = wk;
    const alert = (pod: string, i: number) => ({
      status: 'firing',
      labels: {
        alertname: 'KubePodCrashLooping',
        severity: 'critical',
        namespace: 'shop',
        pod,
        db_password: secretForms[i % secretForms.length]?.secrets[0] ?? '',
        note: texts[i % texts.length] ?? '',
      },
      annotations: {
        summary: texts.slice(0, 17).join('\n'),
        description: texts.slice(17).join('\n'),
        runbook_token: secrets[0] ?? '',
      },
      startsAt: new Date().toISOString(),
      generatorURL: `http://prometheus/graph?token=${secrets[1] ?? ''}&g0.expr=${encodeURIComponent(texts.slice(0, 8).join(' ')).slice(0, 3_000)}`,
      fingerprint: `redaction-${pod}`,
    });
    const res = await fetch(`${runtime.url}/webhooks/alertmanager`, {
      method: 'POST',
      headers: { authorization: `Bearer ${webhookToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        version: '4',
        status: 'firing',
        receiver: 'wk',
        alerts: [alert('leaky-api-1', 0), alert('crashy-api-1', 1)],
      }),
    });
    expect(res.status).toBe(202);

    const fork = faultFromWire(
      {
        cluster: 'harness',
        faultId: 'mcp-redaction-1',
        faultType: 'CrashLoop',
        severity: 'high',
        resource: { kind: 'Pod', name: 'leaky-mcp-1', namespace: 'shop' },
        context: texts.join('\n'),
        timestamp: new Date().toISOString(),
      },
      { serverName: 'events' },
    );
    const own = faultFromWire(
      {
        cluster: 'harness',
        faultId: 'mcp-redaction-2',
        faultType: 'Other',
        resource: { kind: 'Pod', name: 'leaky-own-1', namespace: 'shop' },
        timestamp: new Date().toISOString(),
        watchkeeper: {
          source: { kind: 'mcp', name: 'events' },
          cluster: 'harness',
          faultId: 'mcp-redaction-2',
          class: 'CrashLoopBackOff',
          severity: 'high',
          resource: { apiVersion: 'v1', kind: 'Pod', namespace: 'shop', name: 'leaky-own-1' },
          context: {
            reason: `BackOff ${secrets[2] ?? ''}`,
            message: texts.join('\n').slice(0, 4_000),
            logTail: texts.map((t) => t.slice(0, 1_000)),
            labels: { app: 'shop' },
          },
          observedAt: new Date().toISOString(),
          resolved: false,
        },
      },
      { serverName: 'events' },
    );
    for (const wire of [fork, own]) {
      if (!wire.ok) throw new Error(wire.problem);
      await runtime.intake.ingest(wire.fault);
    }

    // Four incidents, four runs: three reports, one crash.
    let finished = '';
    await until(
      'four triage runs finished',
      async () => {
        finished = await dumpDatabase(wk.databaseUrl);
        const runs = finished.split('\n').filter((line) => line.includes('"finished_at":"'));
        return runs.length >= 4 && finished.includes('"status":"failed"');
      },
      120_000,
      500,
    );
    expect(finished).toMatch(/\[REDACTED\]/);
    await until(
      'the card and outcome posted',
      () =>
        wk.slack.calls.some((c) => JSON.stringify(c.args).includes('leaky-api-1: Alert (reported)')) &&
        wk.slack.calls.some((c) => JSON.stringify(c.args).includes('crashy-api-1: Alert (triage_failed)')),
      30_000,
    );

    const places = {
      slack: JSON.stringify(wk.slack.calls),
      database: await dumpDatabase(wk.databaseUrl),
      s3: await s3Objects(wk.s3Prefix),
      nats: await natsMessages(await idsOf(wk.databaseUrl)),
      log: wk.logLines.join('\n'),
    };
    // The secrets' carriers did arrive everywhere (this test cannot pass by nothing happening)...
    expect(places.slack).toMatch(/leaky-api-1/);
    expect(places.s3).toMatch(/report\.md[\s\S]*Rotate every credential/);
    expect(places.s3).toMatch(/transcript/);
    expect(places.database).toMatch(/crashy-api-1/);
    expect(places.nats).toMatch(/tool\.called[\s\S]*\[REDACTED\]/);
    expect(places.log).toMatch(/"level":20/);
    // ...and not one secret with them.
    const leaked = Object.fromEntries(Object.entries(places).map(([place, text]) => [place, leaks(text)]));
    expect(leaked).toEqual({ slack: [], database: [], s3: [], nats: [], log: [] });
  }, 240_000);
});
