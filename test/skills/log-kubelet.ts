/**
 * A kubelet's log endpoint, for pods on a test node with no kubelet: the harness nodes run no containers, so
 * `kubectl logs` has nothing to read. The node's status points the apiserver at this HTTPS server on 127.0.0.1
 * (the apiserver does not verify a kubelet's certificate when it has no --kubelet-certificate-authority), and it
 * answers `GET /containerLogs/<ns>/<pod>/<container>` as the kubelet does — including the error for `previous`
 * on a container that never restarted, which is what makes `kubectl logs --all-containers --previous` stop.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface LogRequest {
  readonly pod: string;
  readonly container: string;
  readonly previous: boolean;
  readonly tailLines?: number;
}

export interface LogKubelet {
  readonly port: number;
  readonly requests: LogRequest[];
  close(): Promise<void>;
}

/** `logs["pod/container"]` is the current run's output; `logs["pod/container/previous"]` the previous run's. */
export async function startLogKubelet(dir: string, logs: Record<string, string>): Promise<LogKubelet> {
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    join(dir, 'kubelet.key'),
    '-out',
    join(dir, 'kubelet.crt'),
    '-subj',
    '/CN=127.0.0.1',
    '-days',
    '1',
  ]);
  const requests: LogRequest[] = [];
  const server: Server = createServer(
    { key: await readFile(join(dir, 'kubelet.key')), cert: await readFile(join(dir, 'kubelet.crt')) },
    (request, response) => {
      const url = new URL(request.url ?? '/', 'https://127.0.0.1');
      const [, kind, , pod = '', container = ''] = url.pathname.split('/');
      if (kind !== 'containerLogs') {
        response.writeHead(404).end('not found');
        return;
      }
      const previous = url.searchParams.get('previous') === 'true';
      const tail = url.searchParams.get('tailLines');
      requests.push({ pod, container, previous, ...(tail !== null && { tailLines: Number(tail) }) });
      const text = logs[previous ? `${pod}/${container}/previous` : `${pod}/${container}`];
      if (text === undefined) {
        response
          .writeHead(400, { 'content-type': 'text/plain' })
          .end(
            previous
              ? `previous terminated container "${container}" in pod "${pod}" not found`
              : `container "${container}" in pod "${pod}" is waiting to start`,
          );
        return;
      }
      const lines = text.split('\n');
      response
        .writeHead(200, { 'content-type': 'text/plain' })
        .end(lines.slice(tail === null ? 0 : -Number(tail)).join('\n') + '\n');
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the log kubelet has no port');
  return {
    port: address.port,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
