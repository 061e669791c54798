/**
 * Tells the other nodes that an operator changed the signing keys or the settings in the store, so
 * they check at once instead of at their next periodic check. A notice carries nothing: every node
 * reads the store, so a notice lost, late or repeated costs at most a wait, never a wrong state.
 */
export interface ConfigChangeSignal {
  announce(): Promise<void>;
  /** Resolves once `listener` hears the notices other nodes announce. */
  listen(listener: () => void): Promise<void>;
  close(): Promise<void>;
}

/** One node (SQLite): nobody to tell. */
export function createSilentConfigChangeSignal(): ConfigChangeSignal {
  return {
    async announce() {},
    async listen() {},
    async close() {},
  };
}
