// Installs what agent-image.json lists into the image being built by agent.Dockerfile: each npm tool into its
// own prefix under `toolsDir` (the layout the harness's buildah build copies from its cache) with its command
// linked into /usr/local/bin, and kubectl from dl.k8s.io, checked against its published SHA-256.
// Usage (inside the build): node install-agent-tools.mjs agent-image.json
/* global fetch, Buffer */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const list = JSON.parse(readFileSync(process.argv[2] ?? 'agent-image.json', 'utf8'));

for (const tool of list.tools) {
  const prefix = join(list.toolsDir, tool.name);
  mkdirSync(prefix, { recursive: true });
  console.log(`installing ${tool.package}@${tool.version} into ${prefix}`);
  execFileSync(
    'npm',
    [
      'install',
      '--prefix',
      prefix,
      '--no-audit',
      '--no-fund',
      '--no-save',
      `${tool.package}@${tool.version}`,
    ],
    { stdio: 'inherit' },
  );
  symlinkSync(join(prefix, tool.binPath), join('/usr/local/bin', tool.bin));
}

const arch = { x64: 'amd64', arm64: 'arm64' }[process.arch];
if (!arch) throw new Error(`kubectl: no release for ${process.arch}; build the image on amd64 or arm64`);
const url = `https://dl.k8s.io/release/${list.kubectl.version}/bin/linux/${arch}/kubectl`;
const download = async (address) => {
  const response = await fetch(address);
  if (!response.ok) throw new Error(`kubectl: GET ${address} answered ${response.status}`);
  return Buffer.from(await response.arrayBuffer());
};
const [binary, checksum] = await Promise.all([download(url), download(`${url}.sha256`)]);
const actual = createHash('sha256').update(binary).digest('hex');
if (actual !== checksum.toString('utf8').trim()) {
  throw new Error(`kubectl: ${url} does not match its published SHA-256; retry the build`);
}
writeFileSync(list.kubectl.path, binary);
chmodSync(list.kubectl.path, 0o755);
console.log(`installed kubectl ${list.kubectl.version} at ${list.kubectl.path}`);
