// Enforces the deny policy inside the sandbox, and records each denial as a progress event:
//   node guard-tool.mjs hook <claude-code|codex|gemini>   a PreToolUse/BeforeTool hook (the call on stdin)
//   node guard-tool.mjs kubectl <args…>                    the `kubectl` on the agent's PATH (any CLI, Goose too)
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { judgeCommand, judgeKubectlArguments, judgeWrite } from './deny-policy.mjs';

const writeTools = new Set([
  'Write',
  'Edit',
  'MultiEdit',
  'NotebookEdit',
  'write_file',
  'replace',
  'edit',
  'write',
]);

function recordDenial(tool, reason) {
  const file = process.env.WATCHKEEPER_PROGRESS_FILE;
  if (!file) return;
  try {
    appendFileSync(file, `${JSON.stringify({ type: 'tool.denied', tool, reason })}\n`);
  } catch {
    // progress is best effort; the denial itself stands
  }
}

function shellCommand(input) {
  const command = input?.command ?? input?.cmd;
  return Array.isArray(command) ? command.join(' ') : command;
}

function judgeCall(call) {
  const tool = String(call.tool_name ?? '');
  const input = call.tool_input ?? {};
  const workspace = process.env.WATCHKEEPER_WORKSPACE ?? call.cwd ?? process.cwd();
  const base = tool.replace(/^.*__/, '');
  if (writeTools.has(base))
    return judgeWrite(input.file_path ?? input.path ?? input.absolute_path, workspace);
  return judgeCommand(shellCommand(input));
}

function hook(cli) {
  let call;
  try {
    call = JSON.parse(readFileSync(0, 'utf8'));
  } catch {
    process.exit(0); // not a tool call we understand: the CLI's own permissions decide
  }
  const reason = judgeCall(call);
  if (!reason) process.exit(0);
  recordDenial(String(call.tool_name ?? 'tool'), reason);
  if (cli === 'claude-code') {
    process.stdout.write(
      JSON.stringify({
        hookSpecificOutput: {
          hookEventName: 'PreToolUse',
          permissionDecision: 'deny',
          permissionDecisionReason: reason,
        },
      }),
    );
    process.exit(0);
  }
  process.stderr.write(`${reason}\n`);
  process.exit(2);
}

function realKubectl() {
  const own = dirname(process.env.WATCHKEEPER_GUARD_SHIM ?? '');
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '' || dir === own) continue;
    const candidate = join(dir, 'kubectl');
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

function kubectl(args) {
  const reason = judgeKubectlArguments(args);
  if (reason) {
    recordDenial('kubectl', reason);
    process.stderr.write(`error: ${reason}\n`);
    process.exit(1);
  }
  const real = realKubectl();
  if (!real) {
    process.stderr.write('error: kubectl is not installed where this agent runs\n');
    process.exit(127);
  }
  const result = spawnSync(real, args, { stdio: 'inherit' });
  process.exit(result.status ?? 1);
}

const [mode, ...rest] = process.argv.slice(2);
if (mode === 'hook') hook(rest[0]);
else if (mode === 'kubectl') kubectl(rest);
else {
  process.stderr.write('usage: guard-tool.mjs hook <cli> | kubectl <args…>\n');
  process.exit(64);
}
