import type { RecoveryCodesRepository } from '../../store/recovery-codes.ts';
import {
  generateRecoveryCodeSet,
  hashRecoveryCode,
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
    if (!(await this.#repository.consume(userId, hashRecoveryCode(userId, normalized), now))) {
      return { accepted: false };
    }
    return { accepted: true, remaining: await this.remaining(userId) };
  }
}
