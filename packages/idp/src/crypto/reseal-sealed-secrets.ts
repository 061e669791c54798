import { actionSecretsContext } from '../actions/action-secrets.ts';
import { clientSecretSealContext } from '../client-secrets/stored-client-secret.ts';
import { totpSeedContext } from '../factors/totp/totp-factor.ts';
import type {
  SealedSecretKind,
  SealedSecretRecord,
  SealedSecretsRepository,
} from '../store/sealed-secrets.ts';
import { LegacySecretBox } from './legacy-secret-box.ts';
import { isClearProviderKey, providerKeySealContext } from './sealed-provider-key.ts';
import type { SecretKeyring } from './secret-keyring.ts';

/** How each kind of record was sealed: the context its owner's code seals it with. */
const SEAL_CONTEXTS: Record<SealedSecretKind, (owner: string) => string> = {
  'totp-seed': totpSeedContext,
  'action-secrets': actionSecretsContext,
  'client-secret': clientSecretSealContext,
  'provider-keys': providerKeySealContext,
};

export const DEFAULT_RESEAL_BATCH_SIZE = 100;

export interface ResealOptions {
  sealedSecrets: SealedSecretsRepository;
  keyring: SecretKeyring;
  /** Opens the records of releases before the keyring, during the upgrade only. */
  legacy?: LegacySecretBox;
  batchSize?: number;
  /** The kinds of record the pass goes through; every kind when not given. */
  kinds?: readonly SealedSecretKind[];
  /** Asked between batches; true ends the pass early (the provider is closing). */
  shouldStop?: () => boolean;
}

export interface ResealOutcome {
  /** Records this pass re-sealed under the current key. */
  resealed: number;
  /** Records no key could open (`kind id: reason`); they are left as they are. */
  unreadable: string[];
  /** False when `shouldStop` ended the pass before the last batch. */
  finished: boolean;
}

/**
 * Re-seals every sealed secret of the store that is not under the keyring's current key, a batch at a
 * time, and seals the provider key sets still stored in clear. Restartable: what is done is what
 * starts with the current key's prefix, so a pass that was cut short (a crash, a restart) is finished
 * by the next one. Safe on several nodes at once: a record is replaced only if it still holds what
 * was read, so a node that lost the race, or a deploy that changed an Action's secrets meanwhile, is
 * never overwritten.
 */
export async function resealSealedSecrets(options: ResealOptions): Promise<ResealOutcome> {
  const { sealedSecrets, keyring } = options;
  const batchSize = options.batchSize ?? DEFAULT_RESEAL_BATCH_SIZE;
  const outcome: ResealOutcome = { resealed: 0, unreadable: [], finished: false };
  for (const kind of options.kinds ?? (Object.keys(SEAL_CONTEXTS) as SealedSecretKind[])) {
    let after: string | undefined;
    for (;;) {
      if (options.shouldStop?.()) return outcome;
      const batch = await sealedSecrets.listNotStartingWith(
        kind,
        keyring.currentRecordPrefix,
        after,
        batchSize,
      );
      for (const record of batch) {
        const plaintext = openRecord(record, options, outcome);
        if (plaintext === undefined) continue;
        const context = SEAL_CONTEXTS[kind](record.owner);
        if (await sealedSecrets.replace(record, keyring.seal(plaintext, context))) outcome.resealed++;
      }
      if (batch.length < batchSize) break;
      after = batch.at(-1)?.id;
    }
  }
  outcome.finished = true;
  return outcome;
}

function openRecord(
  record: SealedSecretRecord,
  { keyring, legacy }: ResealOptions,
  outcome: ResealOutcome,
): string | undefined {
  const context = SEAL_CONTEXTS[record.kind](record.owner);
  try {
    // A key set stored in clear, by a release before they were sealed or by an older node since.
    if (record.kind === 'provider-keys' && isClearProviderKey(record.sealed)) return record.sealed;
    if (LegacySecretBox.isLegacyRecord(record.sealed)) {
      if (!legacy) throw new Error('sealed by a release before the keyring, whose key is gone');
      return legacy.open(record.sealed, context);
    }
    return keyring.open(record.sealed, context);
  } catch (error) {
    outcome.unreadable.push(`${record.kind} ${record.id}: ${(error as Error).message}`);
    return undefined;
  }
}
