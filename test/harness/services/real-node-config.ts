/**
 * The real node's configuration files: containerd 1.6 (CRI plugin, runc, CNI), the CNI bridge network and the
 * kubelet's KubeletConfiguration and kubeconfig. Every folder is under the node's own directory; what cannot be
 * moved is listed in real-node-host.ts. The README's Testing section says what the node needs.
 */
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { ClusterPki } from './kube-certs.ts';

export const realNodeLabel = { key: 'watchkeeper.test/node', value: 'real' } as const;
/** Ordinary (kwok-targeted) pods never land on the real node; pods meant for it tolerate this taint. */
export const realNodeTaint = { key: 'watchkeeper.test/node', value: 'real', effect: 'NoSchedule' } as const;
export const cniNetwork = 'wk-real-node';
export const bridgeName = 'wkreal0';
/** The pod network: never routed (no gateway, no masquerade); pods that must reach harness services use hostNetwork. */
const podSubnet = '10.250.0.0/24';

/** The images the node runs, imported from the harness's docker-archives (test/harness/images). */
export const nodeImages = {
  pause: 'watchkeeper.test/pause:1',
  base: 'watchkeeper.test/base:1',
  healthy: 'watchkeeper.test/healthy:1',
  crasher: 'watchkeeper.test/crasher:1',
  memoryHog: 'watchkeeper.test/memory-hog:1',
} as const;

/**
 * Crash-loop back-off: the kubelet's real defaults are 10 s doubling to 5 min. The node caps it at 40 s so a
 * test can watch several real cycles (10 s, 20 s, 40 s, 40 s …) in about two minutes instead of ten; the first
 * cycles, where a watcher sees the container alternate between waiting and terminated, are the real ones.
 */
export const crashLoopMaxBackOff = '40s';

export interface NodePaths {
  readonly dir: string;
  readonly containerdRoot: string;
  readonly containerdState: string;
  readonly containerdSocket: string;
  readonly containerdConfig: string;
  readonly runcRoot: string;
  readonly cniConfDir: string;
  readonly cniDataDir: string;
  readonly kubeletRoot: string;
  readonly kubeletCertDir: string;
  readonly kubeletConfig: string;
  readonly kubeletKubeconfig: string;
  readonly podLogsDir: string;
  readonly pathDir: string;
}

export function nodePaths(dir: string): NodePaths {
  return {
    dir,
    containerdRoot: join(dir, 'containerd', 'root'),
    containerdState: join(dir, 'containerd', 'state'),
    containerdSocket: join(dir, 'containerd', 'containerd.sock'),
    containerdConfig: join(dir, 'containerd', 'config.toml'),
    runcRoot: join(dir, 'runc'),
    cniConfDir: join(dir, 'cni', 'net.d'),
    cniDataDir: join(dir, 'cni', 'ipam'),
    kubeletRoot: join(dir, 'kubelet'),
    kubeletCertDir: join(dir, 'kubelet-pki'),
    kubeletConfig: join(dir, 'kubelet-config.yaml'),
    kubeletKubeconfig: join(dir, 'kubelet.kubeconfig'),
    podLogsDir: join(dir, 'pod-logs'),
    pathDir: join(dir, 'sbin'),
  };
}

export function containerdConfig(paths: NodePaths, runc: string): string {
  const q = JSON.stringify;
  return `version = 2
root = ${q(paths.containerdRoot)}
state = ${q(paths.containerdState)}
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.grpc.v1.introspection.tracing"]

[grpc]
  address = ${q(paths.containerdSocket)}

[ttrpc]
  address = ${q(`${paths.containerdSocket}.ttrpc`)}

[plugins."io.containerd.internal.v1.opt"]
  path = ${q(join(paths.dir, 'containerd', 'opt'))}

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = ${q(nodeImages.pause)}
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  netns_mounts_under_state_dir = true
  # The VM lacks CAP_SYS_RESOURCE: without this every sandbox fails ("can't get final child's PID from pipe").
  restrict_oom_score_adj = true
  enable_selinux = false

  [plugins."io.containerd.grpc.v1.cri".containerd]
    default_runtime_name = "runc"
    snapshotter = "overlayfs"

    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"

      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        BinaryName = ${q(runc)}
        Root = ${q(paths.runcRoot)}

  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = ${q(paths.cniConfDir)}
`;
}

export function cniConfig(paths: NodePaths): string {
  return JSON.stringify(
    {
      cniVersion: '0.4.0',
      name: cniNetwork,
      plugins: [
        {
          type: 'bridge',
          bridge: bridgeName,
          isGateway: false,
          ipMasq: false,
          hairpinMode: false,
          ipam: { type: 'host-local', ranges: [[{ subnet: podSubnet }]], dataDir: paths.cniDataDir },
        },
      ],
    },
    null,
    2,
  );
}

export function kubeletConfig(
  paths: NodePaths,
  pki: ClusterPki,
  ports: { kubelet: number; healthz: number },
): string {
  return stringify({
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    kind: 'KubeletConfiguration',
    // kubelet >= 1.35 refuses cgroup v1 unless told; these VMs are cgroup v1 hybrid.
    failCgroupV1: false,
    cgroupDriver: 'cgroupfs',
    containerRuntimeEndpoint: `unix://${paths.containerdSocket}`,
    address: '127.0.0.1',
    port: ports.kubelet,
    readOnlyPort: 0,
    healthzBindAddress: '127.0.0.1',
    healthzPort: ports.healthz,
    tlsCertFile: pki.kubeletServingCert,
    tlsPrivateKeyFile: pki.kubeletServingKey,
    authentication: {
      anonymous: { enabled: false },
      webhook: { enabled: true },
      x509: { clientCAFile: pki.caCert },
    },
    authorization: { mode: 'Webhook' },
    podLogsDir: paths.podLogsDir,
    // The images exist only locally: never garbage-collect them.
    imageGCHighThresholdPercent: 100,
    imageGCLowThresholdPercent: 99,
    evictionHard: {
      'memory.available': '100Mi',
      'nodefs.available': '1%',
      'nodefs.inodesFree': '1%',
      'imagefs.available': '1%',
    },
    failSwapOn: false,
    serializeImagePulls: false,
    resolvConf: '',
    registerWithTaints: [realNodeTaint],
    featureGates: { KubeletCrashLoopBackOffMax: true },
    crashLoopBackOff: { maxContainerRestartPeriod: crashLoopMaxBackOff },
    // Status changes reach the apiserver promptly, as on a real node under light load.
    nodeStatusUpdateFrequency: '10s',
    syncFrequency: '10s',
  });
}

export function kubeletKubeconfig(server: string, pki: ClusterPki): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'harness', cluster: { server, 'certificate-authority': pki.caCert } }],
    users: [{ name: 'node', user: { 'client-certificate': pki.nodeCert, 'client-key': pki.nodeKey } }],
    contexts: [{ name: 'harness', context: { cluster: 'harness', user: 'node' } }],
    'current-context': 'harness',
  });
}
