import { openStore } from '../../core/store/open-store.ts';
import { storeContract } from './store-contract.ts';

storeContract('PGlite', () => openStore({ kind: 'pglite', dataDir: 'memory' }));
