import { ConfigError } from '../config/load-config.ts';

/**
 * The store holds provider keys that the keyring does not open: the database was used with another
 * secret key (`STEPUP_SECRET_KEY`, `STEPUP_SECRET_KEY_FILE`, the data folder's `secret-keys`). A
 * configuration error, so the command line reports it and exits instead of starting.
 */
export class ProviderKeysUnreadableError extends ConfigError {
  readonly code = 'provider_keys_unreadable';
  /** The key sets that do not open, as `name: reason`. */
  readonly unreadable: readonly string[];

  constructor(unreadable: readonly string[], keyIds: readonly string[]) {
    super(
      `the provider's keys in the database do not open with the configured secret key ` +
        `(${unreadable.join('; ')}; the keyring has ${keyIds.join(', ')}): start with the ` +
        'STEPUP_SECRET_KEY or STEPUP_SECRET_KEY_FILE this database was used with. The provider does not ' +
        'make new keys instead: that would invalidate every session and token it issued',
    );
    this.unreadable = unreadable;
  }
}
