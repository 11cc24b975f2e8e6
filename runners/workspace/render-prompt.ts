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
  return `${label}:\n\`\`\`untrusted\n${body}\n\`\`\``;
}
