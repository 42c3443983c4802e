import { createMemorySessionStore } from '../../src/persistence/memory-session-store.js';
import { createPostgresSessionStore } from '../../src/persistence/postgres-session-store.js';
import { createMigratedDatabase } from '../helpers/postgres.js';
import { describeSessionStore } from '../session-store.contract.js';

describeSessionStore('memory', async () => {
  const store = createMemorySessionStore();
  return { store, reopen: async () => store };
});

describeSessionStore('postgres', async () => {
  const databaseUrl = await createMigratedDatabase('contract');
  const open = () => createPostgresSessionStore({ databaseUrl, batchMs: 2, batchMax: 500, poolSize: 2 });
  return { store: open(), reopen: async () => open() };
});
