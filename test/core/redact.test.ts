import { describe, expect, it } from 'vitest';
import { redact, redactBounded, redactJson, redactNamed } from '../../core/domain/redact.ts';
import { gitleaksRules } from '../../core/domain/redaction/gitleaks-rules.ts';
import { re2ToJs } from '../tools/re2-to-js.ts';
import { secretForms } from '../fixtures/secret-forms.ts';

describe('redact', () => {
  it.each([
    ['a bearer header', 'Authorization: Bearer abc.def.ghi123456', 'Authorization: Bearer [REDACTED]'],
    ['a password assignment', 'DB_PASSWORD=hunter2 connecting', 'DB_PASSWORD=[REDACTED] connecting'],
    ['a JSON secret', '{"api_key": "k-123456"}', '{"api_key": "[REDACTED]"}'],
    ['URL credentials', 'postgres://app:s3cret@db:5432/x', 'postgres://app:[REDACTED]@db:5432/x'],
    ['a JWT', 'got eyJhbGciOi.eyJzdWIiOiIx.SflKxwRJSM done', 'got [REDACTED] done'],
    ['kubeconfig key data', '    client-key-data: LS0tLS1CRUdJTiBSU0E=', '    client-key-data: [REDACTED]'],
    [
      'a kubeconfig token',
      '    token: eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl',
      '    token: [REDACTED]',
    ],
    ['a private key', '-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----', '[REDACTED]'],
    [
      'camelCase keys',
      'clientSecret=abc123 secretKey: "xyz789"',
      'clientSecret=[REDACTED] secretKey: "[REDACTED]"',
    ],
    ['a flag', 'psql --password hunter2 -h db', 'psql --password [REDACTED] -h db'],
    [
      'an env entry named like a secret',
      '- name: DB_PASSWORD\n  value: hunter2\n- name: LOG_LEVEL\n  value: debug',
      '- name: DB_PASSWORD\n  value: [REDACTED]\n- name: LOG_LEVEL\n  value: debug',
    ],
    [
      'JSON escaped inside a log line',
      'msg="{\\"password\\":\\"hunter2\\",\\"user\\":\\"app\\"}"',
      'msg="{\\"password\\":\\"[REDACTED]\\",\\"user\\":\\"app\\"}"',
    ],
    [
      'a YAML block scalar',
      'password: |\n  line one\n  line two\nport: 5432',
      'password: |\n[REDACTED]\nport: 5432',
    ],
  ])('hides %s', (_what, input, expected) => {
    expect(redact(input)).toBe(expected);
  });

  it.each(secretForms.map((f) => [f.name, f] as const))('hides every secret of: %s', (_name, form) => {
    const out = redact(form.text);
    for (const secret of form.secrets) expect(out).not.toContain(secret);
    expect(out).toContain('[REDACTED]');
  });

  it('hides every form when they all arrive in one text, as JSON, and escaped in a JSON string', () => {
    const text = secretForms.map((f) => f.text).join('\n');
    const all = secretForms.flatMap((f) => f.secrets);
    for (const carrier of [
      text,
      JSON.stringify({ log: text }),
      JSON.stringify(JSON.stringify({ log: text })),
    ]) {
      const out = redact(carrier);
      expect(all.filter((secret) => out.includes(secret))).toEqual([]);
    }
  });

  it.each([
    'panic: runtime error: index out of range [3] with length 3',
    'Back-off restarting failed container app in pod checkout-7d9f',
    'OOMKilled: container exceeded its memory limit of 256Mi',
    'invalid token: expired; failed to refresh token: connection refused',
    'MountVolume.SetUp failed for volume "secret-vol" : secret "db-creds" not found',
    'max_tokens: 4096 secretName: db-creds tokenUrl: https://auth/token',
    'Readiness probe failed: Get "http://10.0.0.7:8080/healthz": dial tcp: connection refused',
    '0/3 nodes are available: 3 Insufficient memory. preemption: 0/3 nodes are available',
    'Successfully pulled image "registry.local/shop/checkout:1.4.2" in 1.2s',
  ])('leaves ordinary text alone: %s', (text) => {
    expect(redact(text)).toBe(text);
  });

  it('is idempotent: redacting a redacted text changes nothing', () => {
    const once = redact(secretForms.map((f) => f.text).join('\n'));
    expect(redact(once)).toBe(once);
  });

  it('finishes on hostile text written to make backtracking regexps stall', () => {
    const hostile = [
      ('curl ' + 'a'.repeat(50) + ' ').repeat(1_300),
      ('apikey' + '-'.repeat(30)).repeat(1_800),
      'password='.repeat(7_000),
      '"token":"'.repeat(7_000),
      '-----BEGIN PRIVATE KEY-----'.repeat(2_000),
      `${'a'.repeat(60_000)}@`,
    ];
    for (const text of hostile) expect(typeof redact(text.slice(0, 65_536))).toBe('string');
  });

  it('bounds the length and says it cut', () => {
    expect(redactBounded('x'.repeat(100), 40)).toMatch(/^x{26}… \(truncated\)$/);
  });

  it('hides a named value whole when its name says secret', () => {
    expect(redactNamed('db_password', 'hunter2')).toBe('[REDACTED]');
    expect(redactNamed('pod', 'checkout-7d9f')).toBe('checkout-7d9f');
  });

  it('redacts every string of a JSON value', () => {
    const ghp = secretForms.find((f) => f.name === 'GitHub token alone')?.secrets[0] ?? '';
    expect(JSON.stringify(redactJson({ a: [{ b: `token ${ghp}` }], n: 3 }))).not.toContain(ghp);
  });
});

describe('the vendored gitleaks rules', () => {
  it('are all there and compile as JavaScript regexps', () => {
    expect(gitleaksRules.length).toBeGreaterThan(200);
    for (const rule of gitleaksRules) expect(() => new RegExp(rule.source, `${rule.flags}gd`)).not.toThrow();
  });

  it('translate RE2 inline flags, POSIX classes and \\z the way RE2 reads them', () => {
    const mixed = re2ToJs('\\b(p8e-(?i)[a-z0-9]{4})(?-i:X)\\z');
    const re = new RegExp(mixed.source, mixed.flags);
    expect(re.test('p8e-AbC9X')).toBe(true);
    expect(re.test('P8E-abc9X')).toBe(false);
    expect(re.test('p8e-abc9x')).toBe(false);
    const posix = re2ToJs('pat[[:alnum:]]{3}[^]]');
    expect(new RegExp(posix.source, posix.flags).test('patA1b.')).toBe(true);
    const dotAll = re2ToJs('a(?s:.)b');
    expect(new RegExp(dotAll.source, dotAll.flags).test('a\nb')).toBe(true);
  });
});
