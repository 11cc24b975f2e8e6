/**
 * What of a model request is prompt: the parts a model API bills as input (system prompt, conversation, tool
 * schemas), without the transport fields (model, stream, limits, metadata). Kept as the JSON text of those parts,
 * so a benchmark can count it with a real tokenizer; the JSON punctuation adds the same few per cent to every
 * CLI's figure and to its default's.
 */
export type ModelApi = 'anthropic' | 'openai-responses' | 'openai-chat' | 'gemini';

const promptFields: Readonly<Record<ModelApi, readonly string[]>> = {
  anthropic: ['system', 'messages', 'tools'],
  'openai-responses': ['instructions', 'input', 'tools'],
  'openai-chat': ['messages', 'tools'],
  gemini: ['systemInstruction', 'contents', 'tools'],
};

export function promptText(api: ModelApi, body: Readonly<Record<string, unknown>>): string {
  const parts = promptFields[api].flatMap((field) => (body[field] === undefined ? [] : [body[field]]));
  return JSON.stringify(parts);
}
