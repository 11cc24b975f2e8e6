// The sandbox contract's stand-in agent: says what its prompt holds, reports one tool call through the progress
// file, then writes the report (`report`, or `slow-report` after 2.5 s), writes none (`silent`), or works until it is stopped (`hang`).
import { appendFileSync, copyFileSync, readFileSync } from 'node:fs';

const [mode, promptFile, reportFile, reportSource] = process.argv.slice(2);
const prompt = readFileSync(promptFile, 'utf8');
process.stdout.write(`my prompt:\n${prompt}\n`);
const progress = (event) =>
  appendFileSync(process.env.WATCHKEEPER_PROGRESS_FILE, `${JSON.stringify(event)}\n`);
progress({ type: 'tool.called', callId: 'c1', tool: 'kubectl', summary: 'kubectl get pods' });
progress({ type: 'tool.result', callId: 'c1', ok: true, excerpt: 'checkout 0/1 CrashLoopBackOff' });
if (mode === 'slow-report') await new Promise((resolve) => setTimeout(resolve, 2_500));
if (mode === 'report' || mode === 'slow-report') copyFileSync(reportSource, reportFile);
if (mode === 'hang') setInterval(() => undefined, 1_000);
