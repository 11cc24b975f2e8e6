/**
 * The test cluster's PKI, made once with openssl: a CA, the apiserver's serving certificate, an admin client
 * certificate (group system:masters), the service-account signing key used by the TokenRequest API, and for the
 * real node: the apiserver's client certificate towards kubelets, the kubelet's client certificate (its node
 * identity) and its serving certificate. Files made by older harness code are kept; only missing ones are made.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface ClusterPki {
  readonly caCert: string;
  readonly serverCert: string;
  readonly serverKey: string;
  readonly adminCert: string;
  readonly adminKey: string;
  readonly serviceAccountKey: string;
  readonly serviceAccountPub: string;
  /** The apiserver's identity towards kubelets (logs, exec): group system:masters. */
  readonly kubeletClientCert: string;
  readonly kubeletClientKey: string;
  /** The real node's kubelet identity: CN=system:node:<node>, O=system:nodes (the Node authorizer's groups). */
  readonly nodeCert: string;
  readonly nodeKey: string;
  /** The kubelet's serving certificate, for localhost (the node's Hostname address). */
  readonly kubeletServingCert: string;
  readonly kubeletServingKey: string;
}

/** The real node's name: its Hostname address too, so the apiserver reaches its kubelet on loopback. */
export const realNodeName = 'localhost';

const clientExtensions =
  'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n';

async function openssl(dir: string, args: readonly string[]): Promise<void> {
  try {
    await run('openssl', args, { cwd: dir });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`harness: openssl ${args[0] ?? ''} failed (is openssl installed?): ${stderr.trim()}`, {
      cause: error,
    });
  }
}

async function issue(dir: string, name: string, subject: string, extensions: string): Promise<void> {
  await writeFile(join(dir, `${name}.ext`), extensions);
  await openssl(dir, ['genrsa', '-out', `${name}.key`, '2048']);
  await openssl(dir, ['req', '-new', '-key', `${name}.key`, '-subj', subject, '-out', `${name}.csr`]);
  await openssl(dir, [
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-days',
    '3650',
    '-sha256',
    '-extfile',
    `${name}.ext`,
    '-out',
    `${name}.crt`,
  ]);
}

export async function ensureClusterPki(dir: string): Promise<ClusterPki> {
  const pki: ClusterPki = {
    caCert: join(dir, 'ca.crt'),
    serverCert: join(dir, 'apiserver.crt'),
    serverKey: join(dir, 'apiserver.key'),
    adminCert: join(dir, 'admin.crt'),
    adminKey: join(dir, 'admin.key'),
    serviceAccountKey: join(dir, 'sa.key'),
    serviceAccountPub: join(dir, 'sa.pub'),
    kubeletClientCert: join(dir, 'apiserver-kubelet-client.crt'),
    kubeletClientKey: join(dir, 'apiserver-kubelet-client.key'),
    nodeCert: join(dir, 'node.crt'),
    nodeKey: join(dir, 'node.key'),
    kubeletServingCert: join(dir, 'kubelet-serving.crt'),
    kubeletServingKey: join(dir, 'kubelet-serving.key'),
  };
  if (Object.values(pki as unknown as Record<string, string>).every((file) => existsSync(file))) return pki;
  await mkdir(dir, { recursive: true });
  if (!existsSync(pki.caCert)) {
    await openssl(dir, ['genrsa', '-out', 'ca.key', '2048']);
    await openssl(dir, [
      'req',
      '-x509',
      '-new',
      '-key',
      'ca.key',
      '-subj',
      '/CN=watchkeeper-test-ca',
      '-days',
      '3650',
      '-out',
      'ca.crt',
    ]);
  }
  const leaves: readonly (readonly [file: string, name: string, subject: string, extensions: string])[] = [
    [
      pki.serverCert,
      'apiserver',
      '/CN=kube-apiserver',
      'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n' +
        'subjectAltName=IP:127.0.0.1,IP:10.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,' +
        'DNS:kubernetes.default.svc\n',
    ],
    [pki.adminCert, 'admin', '/O=system:masters/CN=watchkeeper-test-admin', clientExtensions],
    [
      pki.kubeletClientCert,
      'apiserver-kubelet-client',
      '/O=system:masters/CN=kube-apiserver-kubelet-client',
      clientExtensions,
    ],
    [pki.nodeCert, 'node', `/O=system:nodes/CN=system:node:${realNodeName}`, clientExtensions],
    [
      pki.kubeletServingCert,
      'kubelet-serving',
      `/CN=${realNodeName}`,
      'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n' +
        `subjectAltName=DNS:${realNodeName},IP:127.0.0.1\n`,
    ],
  ];
  for (const [file, name, subject, extensions] of leaves) {
    if (!existsSync(file)) await issue(dir, name, subject, extensions);
  }
  if (!existsSync(pki.serviceAccountPub)) {
    await openssl(dir, ['genrsa', '-out', 'sa.key', '2048']);
    await openssl(dir, ['rsa', '-in', 'sa.key', '-pubout', '-out', 'sa.pub']);
  }
  return pki;
}
