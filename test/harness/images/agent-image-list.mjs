// Reads deploy/docker/agent-image.json for the shell build scripts: `get PATH` prints one value (arrays joined
// with commas), `json PATH` prints it as JSON, `tools` prints `name version bin binPath` per tool, `copies` prints `from to` per copy.
// Usage: node agent-image-list.mjs LIST_JSON get|json PATH | tools | copies
import { readFileSync } from 'node:fs';

const [file, command, path] = process.argv.slice(2);
const list = JSON.parse(readFileSync(file, 'utf8'));
if (command === 'get' || command === 'json') {
  let value = list;
  for (const key of path.split('.')) value = value?.[key];
  if (value === undefined) throw new Error(`${file}: no ${path}`);
  if (command === 'json') console.log(JSON.stringify(value));
  else console.log(Array.isArray(value) ? value.join(',') : value);
} else if (command === 'tools') {
  for (const t of list.tools) console.log(`${t.name} ${t.version} ${t.bin} ${t.binPath}`);
} else if (command === 'copies') {
  for (const c of list.copy) console.log(`${c.from} ${c.to}`);
} else {
  throw new Error(`usage: agent-image-list.mjs LIST_JSON get|json PATH | tools | copies`);
}
