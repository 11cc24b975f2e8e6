/**
 * A kubelet's log endpoint, for pods on a test node with no kubelet: the harness nodes run no containers, so
 * `kubectl logs` has nothing to read. The node's status points the apiserver at this HTTPS server on 127.0.0.1
 * with the kubelet serving certificate the harness's CA issued for 127.0.0.1, and it
 * answers `GET /containerLogs/<ns>/<pod>/<container>` as the kubelet does — including the error for `previous`
 * on a container that never restarted, which is what makes `kubectl logs --all-containers --previous` stop.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import { join } from 'node:path';
import { serviceDir } from '../harness/process.ts';
import { ensureClusterPki } from '../harness/services/kube-certs.ts';

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
export async function startLogKubelet(logs: Record<string, string>): Promise<LogKubelet> {
  // The apiserver verifies kubelets against the cluster CA (--kubelet-certificate-authority, for the real node):
  // serve the harness's kubelet serving certificate, issued by that CA for 127.0.0.1.
  const pki = await ensureClusterPki(join(serviceDir('kube'), 'pki'));
  const requests: LogRequest[] = [];
  const server: Server = createServer(
    { key: await readFile(pki.kubeletServingKey), cert: await readFile(pki.kubeletServingCert) },
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
