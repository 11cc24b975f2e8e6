import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentKinds } from '../../core/domain/agent-profile.ts';
import { ConfigError } from '../../core/domain/errors.ts';
import { loadConfig } from '../../bot/config/load-config.ts';

describe('agent profiles on the Kubernetes Job runner (config)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wk-job-config-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const load = async (yaml: string) => {
    const file = join(dir, `${Math.random().toString(36).slice(2)}.yaml`);
    await writeFile(file, yaml);
    return loadConfig({
      file,
      env: { ANTHROPIC_API_KEY: 'sk-ant-x', OPENAI_API_KEY: 'sk-x', GEMINI_API_KEY: 'g' },
    });
  };

  it.each(agentKinds)('accepts a %s profile with runner: kubernetes-job and an image', async (kind) => {
    const config = await load(
      [
        'agents:',
        '  profiles:',
        `    agent: { kind: ${kind}, runner: kubernetes-job, image: ghcr.io/watchkeeper/agent:1${kind === 'custom' ? ', command: my-agent' : ''} }`,
      ].join('\n'),
    );
    expect(config.agents.profiles.agent).toMatchObject({
      kind,
      runner: 'kubernetes-job',
      image: 'ghcr.io/watchkeeper/agent:1',
    });
  });

  it('refuses a Job profile without an image, naming the field', async () => {
    const error = await load(
      'agents:\n  profiles:\n    claude: { kind: claude-code, runner: kubernetes-job }\n',
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(
      /agents\.profiles\.claude\.image.*required when runner is kubernetes-job/,
    );
  });
});
