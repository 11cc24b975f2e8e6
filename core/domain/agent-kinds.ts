/** What each agent kind is without configuration: its command, skills folder and API key variable (each built-in
 * kind's invocation in runners/agents picks its own stream parser). */
import type { AgentKind } from './agent-profile.ts';

export interface KindDefaults {
  /** The CLI's command on the agent's PATH (npm package in parentheses in the docs). */
  readonly command?: string;
  /** Where the CLI discovers project skills, relative to its working folder. */
  readonly skillsPath: string;
  /** The environment variable the API key is read from (Watchkeeper's) and handed over in (the CLI's). */
  readonly apiKeyEnv?: string;
}

export const kindDefaults: Readonly<Record<AgentKind, KindDefaults>> = {
  'claude-code': {
    command: 'claude',
    skillsPath: '.claude/skills',
    apiKeyEnv: 'ANTHROPIC_API_KEY',
  },
  codex: { command: 'codex', skillsPath: '.agents/skills', apiKeyEnv: 'OPENAI_API_KEY' },
  gemini: { command: 'gemini', skillsPath: '.agents/skills', apiKeyEnv: 'GEMINI_API_KEY' },
  goose: { command: 'goose', skillsPath: '.agents/skills', apiKeyEnv: 'OPENAI_API_KEY' },
  custom: { skillsPath: '.skills' },
};
