/**
 * The redactor runs on every fault, progress event, log record and report: how long it takes on 64 KB of
 * ordinary logs, of JSON, of a transcript line (JSON-escaped YAML) and of text built to stall backtracking.
 * Last line: one JSON object (µs, p50 of 25 runs each).
 */
import { redact } from '../../core/domain/redact.ts';

const size = 65_536;
const fill = (unit: (i: number) => string): string => {
  let out = '';
  for (let i = 0; out.length < size; i++) out += unit(i);
  return out.slice(0, size);
};

const inputs: Record<string, string> = {
  logs: fill(
    (i) =>
      `2026-12-01T21:00:${String(i % 60).padStart(2, '0')}Z level=info msg="GET /api/v1/orders/${i} status=200" took=${i % 97}ms user=u${i} token_count=${i}\n`,
  ),
  json: fill(
    (i) => `${JSON.stringify({ pod: `checkout-${i}`, level: 'warn', msg: 'retrying', password: `p${i}` })}\n`,
  ),
  transcript: fill(
    (i) =>
      `${JSON.stringify({ type: 'tool_result', content: `apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - env:\n    - name: DB_PASSWORD\n      value: pw${i}\n` })}\n`,
  ),
  hostile: fill(() => `curl ${'a'.repeat(50)} `),
  hostileKeys: fill(() => `apikey${'-'.repeat(30)}`),
};

const result: Record<string, number> = {};
for (const [name, text] of Object.entries(inputs)) {
  redact(text);
  const times: number[] = [];
  for (let i = 0; i < 25; i++) {
    const start = performance.now();
    redact(text);
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  result[`redact_64k_${name}_us_p50`] = Math.round((times[12] ?? 0) * 1000);
  console.log(
    `${name}: p50 ${result[`redact_64k_${name}_us_p50`]} µs, min ${Math.round((times[0] ?? 0) * 1000)} µs`,
  );
}
const small = 'Back-off restarting failed container app in pod checkout-7d9f: token=abc123def';
const start = performance.now();
for (let i = 0; i < 2_000; i++) redact(small);
result.redact_event_us_mean = Math.round(((performance.now() - start) / 2_000) * 1000);
console.log(JSON.stringify(result));
