#!/usr/bin/env node
// Checks report.md with the same rules Watchkeeper's server applies when the run ends (lib/report-rules.mjs is
// generated from the server's validator). Read-only: it only reads the file it is given.
//   node check-report.mjs [report.md] [--json]
// Exit 0: the server accepts the report and every proposed action. Exit 2: accepted, but some actions will be
// shown as rejected (fix them). Exit 1: the server rejects the report (fix what it lists). Exit 3: no file.
import { readFileSync } from 'node:fs';
import { parseReport } from './lib/report-rules.mjs';

const args = process.argv.slice(2);
const json = args.includes('--json');
const file = args.find((arg) => !arg.startsWith('--')) ?? 'report.md';

let markdown;
try {
  markdown = readFileSync(file, 'utf8');
} catch (error) {
  console.log(`cannot read ${file}: ${error.message}. Write the report there first (or pass its path).`);
  process.exit(3);
}

const check = parseReport(markdown);
const verdict = check.ok
  ? {
      accepted: true,
      problems: [],
      actions: check.report.actions.map((action) => action.type),
      rejectedActions: check.report.rejectedActions.map(({ index, problem }) => ({ index, problem })),
    }
  : { accepted: false, problems: [...check.problems], actions: [], rejectedActions: [] };

if (json) console.log(JSON.stringify(verdict));
else if (!verdict.accepted) {
  console.log(`${file}: REJECTED — the server will not accept this report. Fix:`);
  for (const problem of verdict.problems) console.log(`- ${problem}`);
} else {
  console.log(
    `${file}: accepted (${verdict.actions.length} action(s) will be proposed: ${verdict.actions.join(', ') || 'none'})`,
  );
  for (const { index, problem } of verdict.rejectedActions)
    console.log(`- action ${index} will be shown as REJECTED and never proposed: ${problem}`);
  if (verdict.rejectedActions.length > 0)
    console.log(
      'Fix those actions (see the action cookbook in SKILL.md) or remove them, then run this again.',
    );
}
process.exit(!verdict.accepted ? 1 : verdict.rejectedActions.length > 0 ? 2 : 0);
