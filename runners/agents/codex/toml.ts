/**
 * The few TOML shapes Codex's config.toml needs. Keys are bare identifiers we choose; every value is a string,
 * boolean, number or string array, and a JSON string is a valid TOML basic string.
 */
export type TomlValue = string | number | boolean | readonly string[];
export type TomlTable = Readonly<Record<string, TomlValue>>;

const value = (v: TomlValue): string =>
  Array.isArray(v) ? `[${v.map((item) => JSON.stringify(item)).join(', ')}]` : JSON.stringify(v);

export function tomlTable(header: string | undefined, table: TomlTable): string {
  const lines = Object.entries(table).map(([key, v]) => `${key} = ${value(v)}`);
  return [...(header ? [header] : []), ...lines, ''].join('\n');
}
