import type { RecoveryCodesRepository } from '../../store/recovery-codes.ts';
import { isLegacyRecoveryCodeHash, legacyRecoveryCodeMatches } from './legacy-recovery-code.ts';
import {
  generateRecoveryCodeSet,
  hashRecoveryCode,
  LEGACY_LENGTH,
  normalizeRecoveryCode,
  type RandomSource,
  RECOVERY_CODES_PER_SET,
} from './recovery-code.ts';

export type RecoveryCodeUse = { accepted: true; remaining: number } | { accepted: false };

/** Recovery codes as a factor of a user: a set shown once, stored hashed, each code used once. */
export class RecoveryCodes {
  readonly #repository: RecoveryCodesRepository;
  readonly #random: RandomSource | undefined;

  constructor(repository: RecoveryCodesRepository, random?: RandomSource) {
    this.#repository = repository;
    this.#random = random;
  }

  /** Issues a new set, voiding any old one at the same moment; returns the codes to show, once. */
  async issue(userId: string, now: number): Promise<string[]> {
    const codes = generateRecoveryCodeSet(RECOVERY_CODES_PER_SET, this.#random);
    const hashes = codes.map((code) => hashRecoveryCode(userId, normalizeRecoveryCode(code) ?? ''));
    await this.#repository.replaceSet(userId, hashes, now);
    return codes;
  }

  async remaining(userId: string): Promise<number> {
    return (await this.#repository.summary(userId))?.remaining ?? 0;
  }

  /** Accepts an unused code of the user's set once, even under concurrent requests. */
  async use(userId: string, typed: string, now: number): Promise<RecoveryCodeUse> {
    const normalized = normalizeRecoveryCode(typed);
    if (normalized === undefined) return { accepted: false };
    const hash = hashRecoveryCode(userId, normalized);
    const stored = normalized.length === LEGACY_LENGTH ? await this.#findLegacy(userId, hash) : hash;
    if (stored === undefined || !(await this.#repository.consume(userId, stored, now))) {
      return { accepted: false };
    }
    return { accepted: true, remaining: await this.remaining(userId) };
  }

  /**
   * The stored hash of a code of releases before, if `sha256Hash` is one of the user's unused ones:
   * each sits under a salt of its own (legacy-recovery-code.ts), so the typed code is checked against
   * every one (a set is ten). Consuming what is found stays the one conditional UPDATE, so the code
   * still works once under concurrent requests.
   */
  async #findLegacy(userId: string, sha256Hash: string): Promise<string | undefined> {
    const candidates = (await this.#repository.unusedHashes(userId)).filter(isLegacyRecoveryCodeHash);
    const matches = await Promise.all(
      candidates.map((stored) => legacyRecoveryCodeMatches(stored, sha256Hash)),
    );
    return candidates[matches.indexOf(true)];
  }
}
