// The sandbox contract's stand-in agent: says what its prompt holds, reports one tool call through the progress
// file, then writes the report (`report`), writes none (`silent`), or works until it is stopped (`hang`).
import { appendFileSync, copyFileSync, readFileSync } from 'node:fs';

const [mode, promptFile, reportFile, reportSource] = process.argv.slice(2);
const prompt = readFileSync(promptFile, 'utf8');
process.stdout.write(`my prompt:\n${prompt}\n`);
const progress = (event) => appendFileSync(process.env.WATCHKEEPER_PROGRESS_FILE, `${JSON.stringify(event)}\n`);
progress({ type: 'tool.called', callId: 'c1', tool: 'kubectl', summary: 'kubectl get pods' });
progress({ type: 'tool.result', callId: 'c1', ok: true, excerpt: 'checkout 0/1 CrashLoopBackOff' });
if (mode === 'report') copyFileSync(reportSource, reportFile);
if (mode === 'hang') setInterval(() => undefined, 1_000);
