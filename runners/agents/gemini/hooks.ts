/**
 * Gemini CLI's hook settings (settings.json): a BeforeTool hook that runs Watchkeeper's deny policy on the
 * shell and file-writing tools.
 */
export function geminiHookSettings(hookCommand: string) {
  return {
    BeforeTool: [
      {
        matcher: 'run_shell_command|write_file|replace',
        hooks: [{ type: 'command', command: hookCommand, timeout: 30_000 }],
      },
    ],
  };
}
