import type { Logger } from 'pino';
import type { SealedSecretsRepository } from '../store/sealed-secrets.ts';
import { resealSealedSecrets } from './reseal-sealed-secrets.ts';
import type { SecretKeyring } from './secret-keyring.ts';

export interface BackgroundResealing {
  /** Resolves when the pass has ended: finished, stopped, or failed (and logged). */
  settled(): Promise<void>;
  /** Ends the pass after the batch in hand; the next start picks up where it stopped. */
  stop(): Promise<void>;
}

/**
 * Re-seals, behind the requests, the secrets still sealed under a key that is no longer current (after
 * `stepup-idp keys rotate-secret`). Every node runs it at start; they do not overwrite each other, and
 * each keeps opening the old records meanwhile, since the old key is still in its ring.
 */
export function startBackgroundResealing(options: {
  sealedSecrets: SealedSecretsRepository;
  keyring: SecretKeyring;
  logger: Pick<Logger, 'info' | 'warn'>;
}): BackgroundResealing {
  const { keyring, logger } = options;
  let stopping = false;
  const pass = resealSealedSecrets({
    sealedSecrets: options.sealedSecrets,
    keyring,
    shouldStop: () => stopping,
  }).then(
    (outcome) => {
      if (outcome.unreadable.length > 0) {
        logger.warn({ unreadable: outcome.unreadable }, 'sealed secrets that no key of the keyring opens');
      }
      if (outcome.resealed > 0 || outcome.finished) {
        logger.info(
          { resealed: outcome.resealed, keyId: keyring.currentKeyId, finished: outcome.finished },
          outcome.finished
            ? 'every sealed secret is under the current key'
            : 're-sealing under the current key stopped; the next start goes on',
        );
      }
    },
    (error: unknown) => {
      logger.warn({ err: error }, 're-sealing under the current key failed; the next start tries again');
    },
  );
  return {
    settled: () => pass,
    async stop() {
      stopping = true;
      await pass;
    },
  };
}
