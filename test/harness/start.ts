/**
 * Starts (or reuses) the harness services named by WATCHKEEPER_HARNESS, as `npm test` does, and prints their
 * coordinates as one JSON line: for scripts and for tests that need a second harness (another WATCHKEEPER_CACHE).
 */
import { requestedServices, startHarness } from './global-setup.ts';

process.stdout.write(`${JSON.stringify(await startHarness(requestedServices()))}\n`);
