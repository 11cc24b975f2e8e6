/**
 * Helpers for tests that use the harness cluster: clients from its admin kubeconfig, throwaway namespaces,
 * applying manifests and kwok Stages (to make pods crash, fail to pull, and so on).
 */
import { randomBytes } from 'node:crypto';
import {
  ApiException,
  AppsV1Api,
  BatchV1Api,
  CoreV1Api,
  KubeConfig,
  KubernetesObjectApi,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';

export const fakeNodeNames: readonly string[] = ['kwok-node-0', 'kwok-node-1', 'kwok-node-2'];

export interface KubeClient {
  readonly config: KubeConfig;
  readonly core: CoreV1Api;
  readonly apps: AppsV1Api;
  readonly batch: BatchV1Api;
  readonly objects: KubernetesObjectApi;
  stagesServed(): Promise<boolean>;
  nodesReady(names: readonly string[]): Promise<boolean>;
}

export function kubeClient(kubeconfigPath: string): KubeClient {
  const config = new KubeConfig();
  config.loadFromFile(kubeconfigPath);
  const core = config.makeApiClient(CoreV1Api);
  const objects = KubernetesObjectApi.makeApiClient(config);
  return {
    config,
    core,
    apps: config.makeApiClient(AppsV1Api),
    batch: config.makeApiClient(BatchV1Api),
    objects,
    async stagesServed() {
      await objects.list('kwok.x-k8s.io/v1alpha1', 'Stage');
      return true;
    },
    async nodesReady(names) {
      const nodes = await core.listNode();
      return names.every((name) =>
        nodes.items
          .find((node) => node.metadata?.name === name)
          ?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
      );
    },
  };
}

function isConflict(error: unknown): boolean {
  return error instanceof ApiException && error.code === 409;
}

/** Creates every object in the given YAML texts; objects that already exist are replaced. */
export async function applyManifests(client: KubeClient, yamlTexts: readonly string[]): Promise<void> {
  for (const text of yamlTexts) {
    for (const document of parseAllDocuments(text)) {
      const object = document.toJS() as KubernetesObject | null;
      if (!object?.kind) continue;
      try {
        await client.objects.create(object);
      } catch (error) {
        if (!isConflict(error)) throw error;
        const current = await client.objects.read(
          object as KubernetesObject & { metadata: { name: string } },
        );
        const resourceVersion = current.metadata?.resourceVersion;
        await client.objects.replace({
          ...object,
          metadata: Object.assign({}, object.metadata, resourceVersion && { resourceVersion }),
        });
      }
    }
  }
}

export async function createFakeNodes(client: KubeClient, names: readonly string[]): Promise<void> {
  for (const name of names) {
    try {
      await client.core.createNode({
        body: {
          metadata: {
            name,
            annotations: { 'kwok.x-k8s.io/node': 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
            labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', type: 'kwok' },
          },
          status: {
            allocatable: { cpu: '32', memory: '256Gi', pods: '110' },
            capacity: { cpu: '32', memory: '256Gi', pods: '110' },
          },
        },
      });
    } catch (error) {
      if (!isConflict(error)) throw error;
    }
  }
}

/** A fresh namespace with a recognizable, unique name; tests never share one. */
export async function createNamespace(client: KubeClient, prefix = 'test'): Promise<string> {
  const name = `${prefix}-${randomBytes(4).toString('hex')}`;
  await client.core.createNamespace({
    body: { metadata: { name, labels: { 'watchkeeper.test/harness': 'true' } } },
  });
  return name;
}

export async function deleteNamespace(client: KubeClient, name: string): Promise<void> {
  await client.core.deleteNamespace({ name }).catch((error: unknown) => {
    if (!(error instanceof ApiException && error.code === 404)) throw error;
  });
}

/** Applies a kwok Stage (a cluster-scoped object) that kwok picks up at once. */
export async function applyStage(client: KubeClient, stageYaml: string): Promise<void> {
  await applyManifests(client, [stageYaml]);
}
