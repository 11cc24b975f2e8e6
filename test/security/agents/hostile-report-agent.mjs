// A stand-in agent whose report carries Slack injection payloads (chosen by PAYLOAD): it writes a valid report
// in the skill's format, so every payload reaches the card, the outcome and the markdown block.
import { writeFileSync } from 'node:fs';

const [reportFile] = process.argv.slice(2);
const long = (unit, length) => unit.repeat(Math.ceil(length / unit.length)).slice(0, length);

const payloads = {
  // 3,500 + 1,200 characters once escaped: over a section's 3,000 if bounded before escaping
  amp: { rootCause: `${'&'.repeat(700)}${'<'.repeat(300)}`, body: '' },
  mentions: {
    rootCause: 'the pod says <!channel> <!here|here> <!everyone> <@U999> <!subteam^S1> @here @channel',
    body: 'Ping <!channel> and @everyone, and <@U999>, and <!subteam^S1|oncall>.',
  },
  links: {
    rootCause:
      'see [a [nested] label](https://evil.example/nested) and <https://evil.example/slack|the docs>',
    body: [
      '- [outer [inner] text](https://evil.example/nested-body)',
      '- [![badge](https://evil.example/img.png)](https://evil.example/image-link)',
      '- read [the runbook][rb] or [this][] or just [shortcut]',
      '',
      '[rb]: https://evil.example/reference "Runbook"',
      '[this]: <https://evil.example/collapsed>',
      '   [shortcut]: https://evil.example/shortcut',
      '- <a href="https://evil.example/html">html link</a>',
    ].join('\n'),
  },
  huge: {
    rootCause: long('the cache stampede & retry storm <again> ', 5_000),
    body: long('- fact: a long line of findings with & and < and > in it\n', 12_000),
  },
};

const payload = payloads[process.env.PAYLOAD ?? ''];
if (!payload) {
  process.stderr.write(`unknown PAYLOAD ${process.env.PAYLOAD}\n`);
  process.exit(2);
}
writeFileSync(
  reportFile,
  `# hostile report (${process.env.PAYLOAD})

## Triage card
- Status: investigated
- Severity: high
- Root cause: ${payload.rootCause}
- Confidence: low
${payload.body}

## Problem statement
Text from an injected agent.

## Findings
${payload.body}

## Hypotheses
1. None.

## Remediation plan
Nothing.

\`\`\`json watchkeeper-actions
[]
\`\`\`

## Proof of work
- none
`,
);
