/**
 * Fills the triage prompt template. Values are substituted in one pass (a value can never inject another
 * placeholder), and text that came from the cluster is fenced as untrusted with any fence inside it broken up.
 */
const placeholder = /\{\{([a-zA-Z]+)\}\}/g;

export function renderTemplate(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(placeholder, (whole, name: string) => values[name] ?? whole);
}

/** A block of untrusted text, fenced so nothing inside can close the fence or pose as instructions. */
export function fenceUntrusted(label: string, text: string): string {
  const body = text.replaceAll('```', "'''").replaceAll('~~~', "'''");
  return `${inlineUntrusted(label)}:\n\`\`\`untrusted\n${body}\n\`\`\``;
}

/**
 * A short untrusted value (a resource name, a title, a cluster name) inline: one line, no control characters,
 * no backticks, in a code span, so a name holding newlines and a fake "## Rules" section stays one quoted word.
 */
export function inlineUntrusted(text: string, max = 300): string {
  const line = text
    .replace(/\r\n|[\r\n\u2028\u2029]/g, '⏎')
    // eslint-disable-next-line no-control-regex -- control characters are what is being removed
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, '�')
    .replaceAll('`', "'");
  return `\`${line.length > max ? `${line.slice(0, max)}…` : line}\``;
}
