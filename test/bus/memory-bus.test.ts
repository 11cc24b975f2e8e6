import { createMemoryBus } from '../../runners/bus/memory-bus.ts';
import { busContract } from './bus-contract.ts';

// One instance for the whole file, as in a process: durable positions live as long as the bus does.
const shared = createMemoryBus();
busContract('in-process', () => Promise.resolve({ ...shared, close: () => Promise.resolve() }));
