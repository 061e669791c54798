import type { JWK } from 'jose';
import type { Logger } from 'pino';
import { readSettingsOverrides, type SettingsOverrides } from '../admin/settings-overrides.ts';
import { readServedSigningKeys } from '../oidc/signing-key-rotation.ts';
import type { KeysRepository } from '../store/keys.ts';
import type { ConfigChangeSignal } from './config-change-signal.ts';

export interface ConfigChangeWatcherOptions {
  keys: KeysRepository;
  /**
   * Epoch seconds: the provider's clock (a rotated-in key starts signing, and a retired key leaves the
   * JWKS, when its time has come).
   */
  clock: () => number;
  logger: Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;
  signal: ConfigChangeSignal;
  /** How often the store is checked even without a notice. */
  intervalSeconds: number;
  /** What this node runs with now, as read at start. */
  running: { signingJwks: { keys: JWK[] }; overrides: SettingsOverrides };
  /** Called with the new active key set when it differs from the running one. */
  applySigningKeys(signingJwks: { keys: JWK[] }): void;
  /** Called with the stored overrides when they differ from the running ones; may throw to refuse them. */
  applySettings(overrides: SettingsOverrides): void;
  /**
   * Drops what the node keeps in memory of what operators change in the store (the enabled Actions):
   * called when another node announces a change, before the check it starts, and at every check.
   */
  forgetCachedReads(): void;
}

/**
 * Keeps a node in step with what operators change in the store: the signing key set (a rotation, or a
 * rotated-out key whose time is up), the settings overrides, and what the node keeps in memory of the
 * enabled Actions (`forgetCachedReads`). It checks periodically, when another node announces a
 * change, when this node has made one (`applyChanges`), which also announces it, and at the moment a
 * stored key activates or retires, so every node switches signing keys together.
 * Checks run one at a time; a check that fails is logged and the next one tries again.
 */
export class ConfigChangeWatcher {
  readonly #options: ConfigChangeWatcherOptions;
  #runningJwks: string;
  #runningOverrides: string;
  #queue: Promise<void> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;
  /** The check due when a key activates or retires before the next periodic check. */
  #keyChangeTimer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: ConfigChangeWatcherOptions) {
    this.#options = options;
    this.#runningJwks = JSON.stringify(options.running.signingJwks);
    this.#runningOverrides = JSON.stringify(options.running.overrides);
  }

  /** Starts the periodic check and listens for other nodes' notices. */
  async start(): Promise<void> {
    const check = () =>
      this.check().catch((error: unknown) =>
        this.#options.logger.warn({ err: error }, 'could not check the store for changed keys or settings'),
      );
    await this.#options.signal.listen(() => {
      this.#options.forgetCachedReads();
      this.#options.logger.debug('another node announced a change in the store');
      void check();
    });
    this.#timer = setInterval(check, this.#options.intervalSeconds * 1000);
    this.#timer.unref();
    // Finds a key that activates or retires before the first periodic check.
    await check();
  }

  /** Applies a change this node just stored, then tells the other nodes. */
  async applyChanges(): Promise<void> {
    await this.check();
    try {
      await this.#options.signal.announce();
    } catch (error) {
      // The other nodes find the change at their next periodic check.
      this.#options.logger.warn({ err: error }, 'could not announce a change to the other nodes');
    }
  }

  /** Reads the store and applies what differs from what runs. */
  check(): Promise<void> {
    const next = this.#queue.then(() => this.#checkOnce());
    this.#queue = next.catch(() => {});
    return next;
  }

  async #checkOnce(): Promise<void> {
    const { keys, clock, logger } = this.#options;
    this.#options.forgetCachedReads();
    const now = clock();
    const { signingJwks, changesAt } = await readServedSigningKeys(keys, now);
    this.#scheduleKeyChange(changesAt === null ? null : changesAt - now);
    const jwksText = JSON.stringify(signingJwks);
    if (jwksText !== this.#runningJwks && signingJwks.keys.length > 0) {
      this.#options.applySigningKeys(signingJwks);
      this.#runningJwks = jwksText;
      logger.info({ kids: signingJwks.keys.map((key) => key.kid) }, 'now serving the stored signing keys');
    }
    const overrides = await readSettingsOverrides(keys);
    const overridesText = JSON.stringify(overrides);
    if (overridesText !== this.#runningOverrides) {
      try {
        this.#options.applySettings(overrides);
      } catch (error) {
        logger.error({ err: error }, 'stored settings are not valid for this build; kept the running ones');
      }
      // Not retried until the store changes again: the same overrides would be refused again.
      this.#runningOverrides = overridesText;
    }
  }

  /**
   * Checks again when the served key set changes by the clock alone, if that comes before the next
   * periodic check (a later one is scheduled by a later check, which keeps the delay short).
   */
  #scheduleKeyChange(inSeconds: number | null): void {
    clearTimeout(this.#keyChangeTimer);
    this.#keyChangeTimer = undefined;
    if (this.#closed || inSeconds === null || inSeconds > this.#options.intervalSeconds) return;
    this.#keyChangeTimer = setTimeout(() => {
      this.check().catch((error: unknown) =>
        this.#options.logger.warn({ err: error }, 'could not switch to the stored signing keys'),
      );
    }, inSeconds * 1000);
    this.#keyChangeTimer.unref();
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    clearTimeout(this.#keyChangeTimer);
    await this.#queue;
    await this.#options.signal.close();
  }
}
