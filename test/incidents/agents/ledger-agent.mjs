// A stand-in agent command for scheduling tests: notes when it starts and ends in a shared ledger file, so a
// test can prove no incident's triage ran twice. Watchkeeper runs it like any custom agent command.
import { appendFileSync } from 'node:fs';

const ledger = process.env.LEDGER;
const ms = Number(process.env.AGENT_MS ?? 500);
const line = (what) =>
  appendFileSync(
    ledger,
    `${what} ${process.env.WATCHKEEPER_INCIDENT_ID} ${process.env.WATCHKEEPER_RUN_ID} ${Date.now()}\n`,
  );
line('start');
setTimeout(() => {
  line('end');
  process.exit(process.env.AGENT_FAIL === '1' ? 3 : 0);
}, ms);
