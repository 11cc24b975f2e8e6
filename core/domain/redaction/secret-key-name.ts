/**
 * Whether a key, flag or variable name says its value is a secret (`DB_PASSWORD`, `clientSecret`,
 * `client-key-data`, `--api-key`, `"SessionToken"`). Names that only point at a secret (`secretName`,
 * `tokenUrl`, `password_file`) or count tokens (`max_tokens`) are not.
 */
const secretWords =
  /password|passwd|passphrase|secret|token|apikey|accesskey|privatekey|signingkey|encryptionkey|masterkey|sessionkey|credential|clientkeydata|authorization|cookie|^pass$|^pwd$|pwd$|^auth$|authkey|^dsn$/;
const pointerSuffix =
  /(?:name|names|ref|file|path|dir|url|uri|endpoint|count|limit|type|length|size|tokens|policy|enabled|required|expiry|expires|expiration|ttl|id|ids|version|mode|provider|source|header|usage|used|total|budget|rotation|store|namespace|template|vol|volume|volumes|mount|mounts|env)$/;

export function isSecretKeyName(name: string): boolean {
  const key = name.toLowerCase().replace(/[^a-z0-9]+/g, '');
  if (key.length < 3 && key !== 'pw') return false;
  return secretWords.test(key) && !pointerSuffix.test(key) && !/^(?:max|num|total)/.test(key);
}

/** Values that say nothing even under a secret name: numbers, booleans, null, empty, already masked. */
export function isHarmlessValue(value: string, mask: string): boolean {
  const v = value.trim();
  return (
    v === '' ||
    v === mask ||
    /^(?:true|false|null|none|nil|undefined|\*+|-?\d+(?:\.\d+)?)$/i.test(v) ||
    /^<[\w -]{1,40}>$/.test(v) ||
    /^[|>][-+0-9]*$/.test(v) ||
    /^(?:bearer|basic|token|digest|negotiate)$/i.test(v)
  );
}
