import { describe, expect, it } from 'vitest';
import { redact, redactBounded } from '../../core/domain/redact.ts';

describe('redact', () => {
  it.each([
    ['a bearer header', 'Authorization: Bearer abc.def.ghi123456', 'Authorization: Bearer [REDACTED]'],
    ['a password assignment', 'DB_PASSWORD=hunter2 connecting', 'DB_PASSWORD=[REDACTED] connecting'],
    ['a JSON secret', '{"api_key": "k-123456"}', '{"api_key": "[REDACTED]"}'],
    ['URL credentials', 'postgres://app:s3cret@db:5432/x', 'postgres://app:[REDACTED]@db:5432/x'],
    ['an AWS access key id', 'key AKIAABCDEFGHIJKLMNOP used', 'key [REDACTED] used'],
    ['a Slack token', 'token xoxb-1234567890-abcdef', 'token [REDACTED]'],
    ['a JWT', 'got eyJhbGciOi.eyJzdWIiOiIx.SflKxwRJSM done', 'got [REDACTED] done'],
    ['kubeconfig key data', '    client-key-data: LS0tLS1CRUdJTiBSU0E=', '    client-key-data: [REDACTED]'],
    [
      'a kubeconfig token',
      '    token: eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl',
      '    token: [REDACTED]',
    ],
    [
      'an AWS secret key',
      'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      'aws_secret_access_key = [REDACTED]',
    ],
    ['a private key', '-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----', '[REDACTED]'],
  ])('hides %s', (_what, input, expected) => {
    expect(redact(input)).toBe(expected);
  });

  it.each([
    'panic: runtime error: index out of range [3] with length 3',
    'Back-off restarting failed container app in pod checkout-7d9f',
    'OOMKilled: container exceeded its memory limit of 256Mi',
  ])('leaves ordinary text alone: %s', (text) => {
    expect(redact(text)).toBe(text);
  });

  it('bounds the length and says it cut', () => {
    expect(redactBounded('x'.repeat(100), 40)).toMatch(/^x{26}… \(truncated\)$/);
  });
});
