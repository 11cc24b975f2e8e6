/**
 * A failed run says why in words a person can act on, and keeps its transcript: the real Claude Code hitting its
 * turn limit, and a model API that refuses the key.
 */
import { describe, expect, it } from 'vitest';
import type { AgentProfile } from '../../../core/domain/agent-profile.ts';
import { runPrefix } from '../../../runners/triage/keep-report.ts';
import { binaries } from '../../harness/process.ts';
import { useAgentRunFixture } from './agent-run-fixture.ts';
import { Secret } from '../../../core/domain/secret.ts';

const claude = (): Omit<AgentProfile, 'baseUrl'> => ({
  name: 'claude-code',
  kind: 'claude-code',
  command: binaries().agents['claude-code'],
  args: [],
  env: {},
  skillsPath: '.claude/skills',
  model: 'scripted-model',
  apiKey: new Secret('test-key'),
});

describe('failed agent runs', () => {
  const { space, triage } = useAgentRunFixture('agent-failures');

  it('an agent that never stops investigating ends at its turn limit, with its transcript kept', async () => {
    const endless = [{ kind: 'shell' as const, command: `kubectl get pods -n ${space.name}` }];
    const run = await triage({ ...claude(), maxTurns: 3 }, endless, (url) => url);
    expect(run.result).toMatchObject({ ok: false, failure: { reason: 'max_turns' } });
    expect(run.events.at(-1)).toMatchObject({ type: 'run.finished', ok: false });
    expect(run.events.filter((e) => e.type === 'tool.called').length).toBeGreaterThanOrEqual(2);
    expect(run.events.find((e) => e.type === 'error')).toMatchObject({
      message: expect.stringMatching(/^max_turns: /) as string,
    });
    const transcript = await run.read(`${runPrefix(run.incident.id, run.runId)}/transcript.log`);
    expect(transcript).toContain('error_max_turns');
  }, 60_000);

  it('an agent that answers without a report fails as invalid_report, quoting what it said', async () => {
    const run = await triage(
      claude(),
      [{ kind: 'text', text: 'I could not finish the investigation.' }],
      (url) => url,
    );
    expect(run.result).toMatchObject({
      ok: false,
      failure: {
        reason: 'invalid_report',
        detail: expect.stringMatching(/its last message: I could not finish/) as string,
      },
    });
    const transcript = await run.read(`${runPrefix(run.incident.id, run.runId)}/transcript.log`);
    expect(transcript).toContain('I could not finish the investigation.');
  }, 60_000);

  it('a refused API key is an authentication failure', async () => {
    const run = await triage(claude(), [{ kind: 'text', text: 'unused' }], (url) => url, { refuseWith: 401 });
    expect(run.result).toMatchObject({ ok: false, failure: { reason: 'auth' } });
    expect(run.model.requests).toHaveLength(0);
  }, 60_000);
});
