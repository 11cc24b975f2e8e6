import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe } from 'vitest';
import type { AgentProfile } from '../../core/domain/agent-profile.ts';
import { isAlive } from '../../runners/local/process-group.ts';
import { localProcessSandboxes } from '../../runners/local/local-process-sandbox.ts';
import { silentLogger } from '../fixtures/logger.ts';
import { sandboxContract, useContractEnv, validReportFile, type AgentMode } from './sandbox-contract.ts';

describe('the local-process sandbox keeps the sandbox contract (bubblewrap, real services)', () => {
  const env = useContractEnv('local-contract');
  let workRoot: string;
  beforeAll(async () => {
    workRoot = await mkdtemp(join(tmpdir(), 'wk-contract-'));
  });
  afterAll(async () => {
    await rm(workRoot, { recursive: true, force: true });
  });
  const agent = fileURLToPath(new URL('agents/contract-agent.mjs', import.meta.url));

  sandboxContract(env, () => ({
    provider: localProcessSandboxes({ workRoot, logger: silentLogger, killGraceMs: 500 }),
    profile: (mode: AgentMode): AgentProfile => ({
      name: `local-${mode}`,
      kind: 'custom',
      command: process.execPath,
      args: [agent, mode, '{promptFile}', '{reportFile}', fileURLToPath(validReportFile)],
      env: {},
      skillsPath: '.skills',
    }),
    inputsOf: (run) => readFile(join(workRoot, run.id, 'prompt.md'), 'utf8'),
    isRunning: (ref) => Promise.resolve(ref.kind === 'local' && isAlive(ref.pid)),
    followsAfterRestart: false,
  }));
});
