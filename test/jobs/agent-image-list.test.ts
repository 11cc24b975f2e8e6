/**
 * One list says what goes in the agent image (deploy/docker/agent-image.json). Users build it with Docker from
 * agent.Dockerfile; the harness builds it with buildah from the list (test/harness/images/build-agent-image.sh).
 * These checks fail when the Dockerfile drifts from the list, so the image a user builds is the image tested.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');

interface AgentImageList {
  readonly base: { readonly image: string; readonly node: string; readonly packages: readonly string[] };
  readonly kubectl: { readonly version: string; readonly path: string };
  readonly toolsDir: string;
  readonly tools: readonly { name: string; package: string; version: string; bin: string; binPath: string }[];
  readonly copy: readonly { readonly from: string; readonly to: string }[];
  readonly user: { readonly name: string; readonly uid: number; readonly gid: number; readonly home: string };
  readonly workdir: string;
  readonly env: Readonly<Record<string, string>>;
  readonly entrypoint: readonly string[];
}

const list = JSON.parse(read('deploy/docker/agent-image.json')) as AgentImageList;

/** The Dockerfile's instructions, continuation lines joined, comments dropped. */
function instructions(text: string): { op: string; args: string }[] {
  return text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const [op = '', ...rest] = line.split(/\s+/);
      return { op: op.toUpperCase(), args: rest.join(' ') };
    });
}

describe('the agent image list and agent.Dockerfile', () => {
  const steps = instructions(read('deploy/docker/agent.Dockerfile'));
  const all = (op: string) => steps.filter((s) => s.op === op).map((s) => s.args);

  it('start from the same Node base and install the same Debian packages', () => {
    expect(all('FROM')).toEqual([list.base.image]);
    expect(list.base.image).toMatch(new RegExp(`^node:${list.base.node}-`));
    const apt = all('RUN').find((r) => r.includes('apt-get install'));
    const packages = apt
      ?.split('apt-get install')[1]
      ?.split('&&')[0]
      ?.split(/\s+/)
      .filter((word) => word !== '' && !word.startsWith('-'));
    expect(packages).toEqual(list.base.packages);
  });

  it('install the tools and kubectl from the list itself, not from pins of their own', () => {
    const copies = all('COPY');
    expect(copies[0]).toBe(
      'deploy/docker/agent-image.json deploy/docker/install-agent-tools.mjs /tmp/agent-image/',
    );
    expect(
      all('RUN').some((r) =>
        r.includes('node /tmp/agent-image/install-agent-tools.mjs /tmp/agent-image/agent-image.json'),
      ),
    ).toBe(true);
    expect(all('ARG')).toEqual([]);
    const dockerfile = read('deploy/docker/agent.Dockerfile');
    for (const tool of list.tools) expect(dockerfile).not.toContain(tool.version);
    // The harness installs the same pins for its local runs (no second copy of them in build-binaries.sh).
    const build = read('test/harness/build-binaries.sh');
    for (const tool of list.tools) expect(build).not.toContain(tool.version);
  });

  it('copy the same repository files to the same places', () => {
    const copies = all('COPY')
      .slice(1)
      .map((args) => {
        const [from = '', to = ''] = args.split(/\s+/);
        return { from, to };
      });
    expect(copies).toEqual(list.copy);
  });

  it('run as the same unprivileged user, in the same folder, with the same environment and entry point', () => {
    const { name, uid, gid, home } = list.user;
    expect(uid).toBeGreaterThan(0);
    expect(all('RUN')).toContain(
      `groupadd --gid ${String(gid)} ${name} && useradd --uid ${String(uid)} --gid ${String(gid)} --home-dir ${home} --no-create-home ${name}`,
    );
    expect(all('USER')).toEqual([`${String(uid)}:${String(gid)}`]);
    expect(all('WORKDIR')).toEqual([list.workdir]);
    const env: Record<string, string> = Object.fromEntries(
      all('ENV').flatMap((args) => args.split(/\s+/).map((pair) => pair.split('=') as [string, string])),
    );
    expect(env).toEqual(list.env);
    expect(JSON.parse(all('ENTRYPOINT')[0] ?? 'null') as unknown).toEqual(list.entrypoint);
    expect(list.copy.map((c) => c.to)).toContain(list.entrypoint.at(-1));
  });
});

describe('the files the in-pod runner reads at run time', () => {
  it('are all copied into the image, where the bundle looks for them', () => {
    const bundle = read('runners/pod/dist/pod-runner.mjs');
    // esbuild keeps `new URL(relative, <module>)`; the bundle maps each module to its path in the repository.
    const referenced = [...bundle.matchAll(/new URL\("([^"]+)", __wkModuleUrl\("([^"]+)"\)\)/g)].map(
      ([, relative = '', module = '']) =>
        new URL(relative, new URL(module, 'file:///repo/')).pathname.replace('/repo/', ''),
    );
    expect(referenced.length).toBeGreaterThan(0);
    const entry = list.copy.find((c) => c.to === list.entrypoint.at(-1));
    expect(entry?.from).toBe('runners/pod/dist/pod-runner.mjs');
    const imageRoot = (entry?.to ?? '').slice(0, -(entry?.from ?? '').length);
    for (const file of referenced) {
      const copied = list.copy.find((c) => file.startsWith(c.from) && c.to === imageRoot + c.from);
      expect(
        copied,
        `${file} (read by the in-pod runner) is not in the image at ${imageRoot}${file}`,
      ).toBeDefined();
    }
  });
});
