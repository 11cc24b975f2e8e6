/**
 * Claude Code's hook settings (`--settings <file>`): a PreToolUse hook that runs Watchkeeper's deny policy on
 * every tool that can run a command or write a file. The file is passed with `--settings`, which `--bare` would
 * ignore: never use `--bare`.
 */
export function claudeCodeHookSettings(hookCommand: string) {
  return {
    hooks: {
      PreToolUse: [
        {
          matcher: 'Bash|Write|Edit|MultiEdit|NotebookEdit',
          hooks: [{ type: 'command', command: hookCommand }],
        },
      ],
    },
  };
}
