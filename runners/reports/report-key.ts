/** Report keys are relative `/`-separated paths: no `..`, no empty segments, no control characters. */
export function assertReportKey(key: string): void {
  const problem =
    key.length === 0 || key.length > 1024
      ? 'must be 1 to 1024 characters'
      : key.startsWith('/')
        ? 'must not start with /'
        : key.split('/').some((segment) => segment === '' || segment === '.' || segment === '..')
          ? 'must not contain empty, . or .. segments'
          : hasControlOrBackslash(key)
            ? 'must not contain control characters or backslashes'
            : undefined;
  if (problem) throw new Error(`invalid report key ${JSON.stringify(key)}: ${problem}`);
}

function hasControlOrBackslash(key: string): boolean {
  for (let i = 0; i < key.length; i++) {
    const code = key.charCodeAt(i);
    if (code < 0x20 || code === 0x7f || code === 0x5c) return true;
  }
  return false;
}
