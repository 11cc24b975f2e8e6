/**
 * Codex features a triage never uses, turned off in `[features]` with the `triage` toolset: each adds tool
 * schemas or instructions to every request (image viewing and generation, browsers and computer use, apps and
 * plugins, sub-agents, goals, tool suggestions, skill search, sleep). Names from `codex features list` 0.169;
 * a name a later Codex drops is ignored by it, a new feature stays at its default until listed here. The shell
 * (`shell_tool`, `unified_exec`) and `hooks` stay on: the triage runs kubectl and the deny policy is a hook.
 */
export const codexFeaturesOff = [
  'apps',
  'browser_use',
  'browser_use_external',
  'computer_use',
  'goals',
  'image_generation',
  'in_app_browser',
  'multi_agent',
  'plugins',
  'remote_plugin',
  'skill_mcp_dependency_install',
  'skill_search',
  'sleep_tool',
  'tool_suggest',
  'view_image',
] as const;
