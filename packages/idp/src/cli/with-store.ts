import type { StepupConfig } from '../config/config-schema.ts';
import { loadConfig } from '../config/load-config.ts';
import { openStore } from '../store/open-store.ts';
import type { Store } from '../store/store.ts';

/** Opens the configured store (the one a running provider uses, too) for one command. */
export async function withStore<T>(
  env: NodeJS.ProcessEnv,
  work: (store: Store, config: StepupConfig) => Promise<T>,
): Promise<T> {
  const config = loadConfig(env);
  const store = await openStore(config);
  try {
    return await work(store, config);
  } finally {
    await store.close();
  }
}
