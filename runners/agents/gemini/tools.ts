/**
 * Gemini CLI's built-in tools a triage never uses, left out with `tools.exclude` (toolset `triage`). Not
 * `tools.core`: an allow-list there also drops the MCP tools. Kept: `run_shell_command` (kubectl, the skill's
 * scripts), `read_file`, `write_file` (the report) and `activate_skill`. Names from Gemini CLI 0.61's bundle; a
 * name a later release drops is harmless, a new tool is offered until listed here.
 */
export const geminiToolsExcluded = [
  'ask_user',
  'complete_task',
  'enter_plan_mode',
  'exit_plan_mode',
  'get_internal_docs',
  'glob',
  'google_web_search',
  'grep_search',
  'invoke_agent',
  'list_background_processes',
  'read_background_output',
  'codebase_investigator',
  'list_directory',
  'list_mcp_resources',
  'read_many_files',
  'read_mcp_resource',
  'replace',
  'save_memory',
  'take_snapshot',
  'tracker_add_dependency',
  'tracker_create_task',
  'tracker_get_task',
  'tracker_list_tasks',
  'tracker_update_task',
  'tracker_visualize',
  'update_topic',
  'web_fetch',
  'write_todos',
] as const;
