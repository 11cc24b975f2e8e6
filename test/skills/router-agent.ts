/**
 * A scripted triage agent that follows the kubernetes-triage skill's router as an agent reads it: the router's
 * rows and the action cookbook parsed from the skill's own files, the class's first reads run with a triage
 * token, a report written with the class's typical actions and every cookbook type, check-report run on it and
 * on broken variants. Shared by the scenarios on kwok nodes and on the real node.
 */
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'vitest';
import type { FaultClass } from '../../core/domain/fault.ts';
import { parseReport } from '../../runners/reports/parse-report.ts';

const execFileAsync = promisify(execFile);
export const skill = new URL('../../skills/kubernetes-triage/', import.meta.url).pathname;

/** The router's rows: class → its first reads (the backticked commands) and its typical actions. */
export interface RouterRow {
  readonly cell: string;
  readonly reads: string[];
  readonly actions: string[];
}

export async function readRouter(): Promise<Map<string, RouterRow>> {
  const text = await readFile(join(skill, 'SKILL.md'), 'utf8');
  const rows = new Map<string, RouterRow>();
  for (const line of text.split('\n')) {
    const cells = line.split('|').map((cell) => cell.trim());
    if (cells.length < 7 || !/^[A-Z]/.test(cells[1] ?? '')) continue;
    const ticks = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1] ?? '');
    rows.set(cells[1] ?? '', {
      cell: cells[2] ?? '',
      reads: ticks(cells[2] ?? ''),
      actions: ticks(cells[6] ?? ''),
    });
  }
  return rows;
}

/** The cookbook's actions (references/actions.md), one valid example per type, in the order it shows them. */
export async function readCookbook(): Promise<Map<string, Record<string, unknown>>> {
  const text = await readFile(join(skill, 'references', 'actions.md'), 'utf8');
  const examples = new Map<string, Record<string, unknown>>();
  for (const block of text.matchAll(/```json\n([\s\S]*?)```/g)) {
    for (const action of JSON.parse(block[1] ?? '[]') as Record<string, unknown>[])
      if (!examples.has(String(action.type))) examples.set(String(action.type), action);
  }
  return examples;
}

export interface Scenario {
  readonly class: FaultClass;
  /** The router row the agent follows (an Alert is read as the class its alert table names). */
  readonly row: string;
  /** The placeholders of the router's commands, for this scenario's objects. */
  readonly names: Readonly<Record<string, string>>;
  /** What the first reads must show: the evidence that decides this class. */
  readonly decisive: RegExp;
}

/** A router read made runnable: bare script names get the arguments the router gives them elsewhere. */
export function command(read: string, names: Readonly<Record<string, string>>): string {
  let line = read.trim();
  if (line === 'pod-summary.sh') line = 'scripts/pod-summary.sh NS POD';
  if (line === 'workload-summary.sh') line = 'scripts/workload-summary.sh NS deployment/D';
  if (/^(pod|workload)-summary\.sh /.test(line)) line = `scripts/${line}`;
  return line
    .split(' ')
    .map((word) => {
      if (word.startsWith('scripts/')) return join(skill, word);
      if (word.includes('/') && !word.startsWith('-'))
        return word
          .split('/')
          .map((part) => names[part] ?? part)
          .join('/');
      if (word.includes('=')) {
        const [key = '', value = ''] = word.split('=');
        return `${key}=${names[value] ?? value}`;
      }
      return names[word] ?? word;
    })
    .join(' ');
}

/** Whether a router read is something to run (a script or kubectl), not prose like "node conditions". */
export const runnable = (read: string) =>
  /^(scripts\/|pod-summary\.sh|workload-summary\.sh|kubectl )/.test(read);

export async function runRead(
  line: string,
  env: Readonly<Record<string, string>>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const [file = '', ...args] = line.split(' ');
  const program = file.endsWith('.sh') ? 'bash' : file;
  try {
    const { stdout, stderr } = await execFileAsync(program, file.endsWith('.sh') ? [file, ...args] : args, {
      env,
      timeout: 60_000,
      maxBuffer: 4 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error: unknown) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

export function reportFor(
  scenario: Scenario,
  namespace: string,
  typical: readonly string[],
  cookbook: ReadonlyMap<string, Record<string, unknown>>,
): string {
  const ordered = [...typical.filter((type) => cookbook.has(type)), ...cookbook.keys()];
  const actions = [...new Set(ordered)].map((type) => cookbook.get(type));
  return `# ${scenario.class} in ${namespace}

## Triage card
- Status: investigated
- Severity: high
- Root cause: the scenario's ${scenario.class} fault, shown by the router's first reads
- Confidence: medium

## Problem statement
A ${scenario.class} fault in namespace ${namespace}.

## Findings
- F1 (router first reads): the decisive line was there.
- I1 (from F1): the fault is what the class says.

## Hypotheses
1. As the class says. Falsification: the first reads; they showed it.

## Remediation plan
Proposed for a person to approve.

\`\`\`json watchkeeper-actions
${JSON.stringify(actions, null, 2)}
\`\`\`

## Proof of work
- the router's first reads for ${scenario.row}
`;
}

/** Broken reports an agent writes, and what check-report must say about each (exit 1: rejected; 2: actions). */
export const broken: readonly {
  what: string;
  break: (text: string) => string;
  code: number;
  says: RegExp;
}[] = [
  { what: 'no severity', break: (t) => t.replace(/- Severity: high\n/, ''), code: 1, says: /Severity/i },
  {
    what: 'no proof of work',
    break: (t) => t.replace(/## Proof of work[\s\S]*$/, ''),
    code: 1,
    says: /Proof of work/,
  },
  {
    what: 'an invented action name',
    break: (t) => t.replace('"type": "rollback_deployment"', '"type": "rollback"'),
    code: 2,
    says: /REJECTED/,
  },
  {
    what: 'actions that are not JSON',
    break: (t) => t.replace(/\n\]\n```/, '\n,]\n```'),
    code: 1,
    says: /JSON|actions/i,
  },
];

/**
 * The scripted agent: follows the router row for `scenario` with the triage token in `env`, then writes its
 * report into `dir` and checks it and its broken variants, as the skill tells an agent to.
 */
export async function followRouter(
  scenario: Scenario,
  names: Readonly<Record<string, string>>,
  env: Readonly<Record<string, string>>,
  router: ReadonlyMap<string, RouterRow>,
  cookbook: ReadonlyMap<string, Record<string, unknown>>,
  dir: string,
): Promise<void> {
  const row = router.get(scenario.row);
  const reads = (row?.reads ?? []).filter(runnable).map((read) => command(read, names));
  expect(reads.length, `first reads of ${scenario.row}: ${row?.reads.join(' | ')}`).toBeGreaterThanOrEqual(1);
  expect(reads.length).toBeLessThanOrEqual(2);

  // The scripted agent runs them as the router says, with the triage token.
  let seen = '';
  for (const read of reads) {
    // A read about one of the Job's or Deployment's pods: the router names it after the first read.
    if (/ POD?$/.test(read) || read.endsWith(' ')) continue;
    const result = await runRead(read, env);
    expect(result.code, `${read}\n${result.stdout}\n${result.stderr}`).toBe(0);
    expect(
      result.stdout.split('\n').every((line) => line.length <= 400),
      `${read}: a line too long`,
    ).toBe(true);
    seen += `${result.stdout}\n`;
  }
  expect(seen, reads.join('\n')).toMatch(scenario.decisive);

  // The report with the class's typical actions and the rest of the cookbook: valid here and on the server.
  const file = join(dir, `${scenario.class}.md`);
  const text = reportFor(scenario, names.NS ?? '', row?.actions ?? [], cookbook);
  await writeFile(file, text);
  const checked = await runRead(
    `${process.execPath} ${join(skill, 'scripts', 'check-report.mjs')} ${file}`,
    env,
  );
  expect(checked.code, checked.stdout).toBe(0);
  const server = parseReport(text);
  expect(server.ok && server.report.rejectedActions, JSON.stringify(server)).toEqual([]);
  const types = server.ok ? server.report.actions.map((a) => a.type) : [];
  expect(new Set(types)).toEqual(new Set(cookbook.keys()));

  for (const variant of broken) {
    const brokenFile = join(dir, `${scenario.class}-broken.md`);
    const brokenText = variant.break(text);
    expect(brokenText, variant.what).not.toBe(text);
    await writeFile(brokenFile, brokenText);
    const caught = await runRead(
      `${process.execPath} ${join(skill, 'scripts', 'check-report.mjs')} ${brokenFile}`,
      env,
    );
    expect(caught.code, `${variant.what}: ${caught.stdout}`).toBe(variant.code);
    expect(caught.stdout, variant.what).toMatch(variant.says);
    // The server would have refused it the same way.
    const verdict = parseReport(brokenText);
    if (variant.code === 1) expect(verdict.ok, variant.what).toBe(false);
    else expect(verdict.ok && verdict.report.rejectedActions.length, variant.what).toBeGreaterThan(0);
  }
}
