/**
 * Codex's hook settings (config.toml): a PreToolUse hook that runs Watchkeeper's deny policy on every shell
 * call. Codex runs non-managed hooks only when trusted; the invocation passes `--dangerously-bypass-hook-trust`
 * because the hook is ours, written into the run's own CODEX_HOME.
 */
import { tomlTable } from './toml.ts';

export function codexHookSections(hookCommand: string): string[] {
  return [
    tomlTable('[[hooks.PreToolUse]]', {}),
    tomlTable('[[hooks.PreToolUse.hooks]]', { type: 'command', command: hookCommand }),
  ];
}
