import { openStore } from '../../core/store/open-store.ts';
import { createTestDatabase } from './postgres-database.ts';
import { storeContract } from './store-contract.ts';

let drop: () => Promise<void> = () => Promise.resolve();

storeContract(
  'PostgreSQL',
  async () => {
    const database = await createTestDatabase();
    drop = database.drop;
    return openStore({ kind: 'postgres', url: database.url });
  },
  () => drop(),
);
