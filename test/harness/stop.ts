/** `npm run harness:stop`: stops every service the harness started (their data stays for the next run). */
import { clearState, log, readState, stopPids, type ServiceHandle } from './process.ts';
import type { KubeInfo } from './services/kube.ts';
import { stopRealNode } from './services/real-node.ts';

// The real node first: its pods are deleted through the apiserver while its kubelet still runs.
const kube = await readState<ServiceHandle<KubeInfo>>('kube');
if (await stopRealNode(kube?.info)) log('node: stopped, host settings restored');

for (const service of ['kube', 's3', 'nats', 'postgres']) {
  const state = await readState<ServiceHandle<unknown>>(service);
  if (!state) continue;
  await stopPids(state.pids);
  await clearState(service);
  log(`${service}: stopped`);
}
