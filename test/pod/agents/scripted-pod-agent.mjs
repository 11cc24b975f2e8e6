// A scripted "agent" for the pod runner tests: reports progress through $WATCHKEEPER_PROGRESS_FILE, leaks its
// secret environment into a tool result (the runner must redact it), tries a mutating kubectl (the guard must
// deny it), then waits until the test saw its progress arrive (the `release` file) and writes the report.
import { spawnSync } from 'node:child_process';
import { appendFileSync, copyFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const [reportFile, reportSource] = process.argv.slice(2);
const progress = (event) =>
  appendFileSync(process.env.WATCHKEEPER_PROGRESS_FILE, `${JSON.stringify(event)}\n`);
const prompt = readFileSync(process.env.WATCHKEEPER_PROMPT_FILE, 'utf8');

progress({ type: 'tool.called', callId: '1', tool: 'kubectl', summary: 'get pods -n shop' });
progress({ type: 'tool.result', callId: '1', ok: true, excerpt: `found key ${process.env.POD_TEST_SECRET}` });
const denied = spawnSync('kubectl', ['delete', 'pod', 'checkout-7d9f-abcde', '-n', 'shop'], {
  encoding: 'utf8',
});
progress({
  type: 'assistant.message',
  excerpt: `delete exited ${denied.status}; the prompt lists ${prompt.includes('CrashLoopBackOff on') ? 'the fault' : 'nothing'}`,
});
console.log('agent: waiting for the test to release me');
const release = join(process.env.WATCHKEEPER_WORKSPACE, 'release');
const deadline = Date.now() + 60_000;
while (!existsSync(release) && Date.now() < deadline) await sleep(50);
if (process.env.POD_TEST_NO_REPORT !== '1') copyFileSync(reportSource, reportFile);
process.exit(Number(process.env.POD_TEST_EXIT ?? '0'));
