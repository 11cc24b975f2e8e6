/** `npm run harness:stop`: stops every service the harness started (their data stays for the next run). */
import { clearState, log, readState, stopPids, type ServiceHandle } from './process.ts';

for (const service of ['kube', 's3', 'nats', 'postgres']) {
  const state = await readState<ServiceHandle<unknown>>(service);
  if (!state) continue;
  await stopPids(state.pids);
  await clearState(service);
  log(`${service}: stopped`);
}
