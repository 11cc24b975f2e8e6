/** Owner chains, replica counts and folding keys as a real cluster's controllers produce them (pure rules). */
import type { KubernetesObject, V1Deployment } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { Fault } from '../../../core/domain/fault.ts';
import { probableCause } from '../../../core/domain/policies/correlation.ts';
import { ownerChain, type OwnerCache } from '../../../listeners/kube/owner-chain.ts';
import { deploymentFaults } from '../../../listeners/kube/workload-rules.ts';
import { makeFault } from '../../fixtures/domain.ts';

const noView = { nodesWithOpenIncident: new Set<string>(), recentStandaloneInNamespace: 0 };

function cacheOf(objects: readonly (KubernetesObject & { kind: string })[]): OwnerCache {
  return (kind, name, namespace) =>
    objects.find((o) => o.kind === kind && o.metadata?.name === name && o.metadata.namespace === namespace);
}

const replicaSet = {
  kind: 'ReplicaSet',
  metadata: {
    name: 'checkout-7d9f8b6c5',
    namespace: 'shop',
    uid: 'rs-1',
    ownerReferences: [
      { apiVersion: 'apps/v1', kind: 'Deployment', name: 'checkout', uid: 'dep-1', controller: true },
    ],
  },
};
const pod = {
  metadata: {
    name: 'checkout-7d9f8b6c5-x2x4q',
    namespace: 'shop',
    labels: { 'pod-template-hash': '7d9f8b6c5' },
    ownerReferences: [
      {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        name: 'checkout-7d9f8b6c5',
        uid: 'rs-1',
        controller: true,
      },
    ],
  },
};

describe('owner chain', () => {
  it('follows Pod → ReplicaSet → Deployment through the cache', () => {
    expect(ownerChain(pod, cacheOf([replicaSet]))).toEqual([
      { kind: 'ReplicaSet', name: 'checkout-7d9f8b6c5', uid: 'rs-1' },
      { kind: 'Deployment', name: 'checkout', uid: 'dep-1' },
    ]);
  });

  it('names the Deployment from the pod-template-hash while its ReplicaSet is not cached yet', () => {
    expect(ownerChain(pod, cacheOf([]))).toEqual([
      { kind: 'ReplicaSet', name: 'checkout-7d9f8b6c5', uid: 'rs-1' },
      { kind: 'Deployment', name: 'checkout' },
    ]);
  });

  it('does not take a cached object of the same name but another uid (a recreated ReplicaSet)', () => {
    const other = { ...replicaSet, metadata: { ...replicaSet.metadata, uid: 'rs-2' } };
    const unlabelled = { metadata: { ...pod.metadata, labels: {} } };
    expect(ownerChain(unlabelled, cacheOf([other]))).toEqual([
      { kind: 'ReplicaSet', name: 'checkout-7d9f8b6c5', uid: 'rs-1' },
    ]);
  });

  it('stops on an ownership loop', () => {
    const a = {
      kind: 'Job',
      metadata: {
        name: 'a',
        namespace: 'shop',
        uid: 'a',
        ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: 'b', uid: 'b', controller: true }],
      },
    };
    const b = {
      kind: 'Job',
      metadata: {
        name: 'b',
        namespace: 'shop',
        uid: 'b',
        ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: 'a', uid: 'a', controller: true }],
      },
    };
    const chain = ownerChain(
      { metadata: { namespace: 'shop', ownerReferences: a.metadata.ownerReferences } },
      cacheOf([a, b]),
    );
    expect(chain.map((o) => o.name)).toEqual(['b', 'a']);
  });
});

describe('folding keys', () => {
  const deploymentFault = makeFault({
    class: 'WorkloadUnavailable',
    resource: {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      namespace: 'shop',
      name: 'checkout',
      uid: 'dep-1',
    },
    context: { reason: 'MinimumReplicasUnavailable' },
  });
  const podFault = (owners: NonNullable<Fault['context']['owners']>) =>
    makeFault({
      context: { owners },
      resource: { apiVersion: 'v1', kind: 'Pod', namespace: 'shop', name: 'p' },
    });

  it('gives a Deployment’s own fault and its pods’ faults one fingerprint', () => {
    const chain = ownerChain(pod, cacheOf([replicaSet]));
    expect(probableCause(podFault(chain), noView).fingerprint).toBe(
      probableCause(deploymentFault, noView).fingerprint,
    );
  });

  it('folds a claim that a bare pod waits for with that pod', () => {
    const claim = makeFault({
      class: 'VolumeProblem',
      resource: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: 'shop', name: 'data' },
      context: { owners: [{ kind: 'Pod', name: 'lonely', uid: 'p-1' }] },
    });
    const bare = makeFault({
      class: 'Unschedulable',
      resource: { apiVersion: 'v1', kind: 'Pod', namespace: 'shop', name: 'lonely', uid: 'p-1' },
      context: {},
    });
    expect(probableCause(claim, noView).fingerprint).toBe('resource:Pod/shop/lonely');
    expect(probableCause(bare, noView).fingerprint).toBe('resource:Pod/shop/lonely');
  });
});

describe('Deployment replica counts', () => {
  interface Counts {
    replicas?: number;
    updatedReplicas?: number;
    availableReplicas?: number;
    unavailableReplicas?: number;
  }
  const deployment = (status: Counts, replicas = 1): V1Deployment => ({
    metadata: { name: 'checkout', namespace: 'shop' },
    spec: { replicas, selector: {}, template: {} },
    status: {
      ...status,
      conditions: [{ type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable' }],
    },
  });

  it('counts unavailable replicas against the spec, not the surge pods of a rollout', () => {
    // A rollout of a one-replica Deployment: the old pod and the surge pod, neither available.
    const [fault] = deploymentFaults(deployment({ replicas: 2, updatedReplicas: 1, unavailableReplicas: 2 }));
    expect(fault?.context.message).toBe('1 of 1 replicas unavailable');
  });

  it('reports nothing when every wanted replica is available, whatever the surge', () => {
    expect(
      deploymentFaults(deployment({ replicas: 4, availableReplicas: 3, unavailableReplicas: 1 }, 3)),
    ).toEqual([]);
  });
});
