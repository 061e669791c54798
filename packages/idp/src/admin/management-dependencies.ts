import type { AcrLadder } from '@stepup/core';
import type { Logger } from 'pino';
import type { StepupConfig } from '../config/config-schema.ts';
import type { ProviderKeys } from '../oidc/provider-keys.ts';
import type { Store } from '../store/store.ts';
import type { ManagementRoutes } from './management-routes.ts';

/** What every resource of the management API is built from. */
export interface ManagementDependencies {
  config: StepupConfig;
  store: Store;
  ladder: AcrLadder;
  keys: ProviderKeys;
  /** Applies a key or settings change just stored to this node, and tells the other nodes. */
  applyChanges: () => Promise<void>;
  logger: Logger;
  /** Epoch seconds: the provider's clock. */
  clock: () => number;
  routes: ManagementRoutes;
}

/** Epoch seconds as an ISO 8601 string, as every time on the wire. */
export function isoTime(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString();
}
