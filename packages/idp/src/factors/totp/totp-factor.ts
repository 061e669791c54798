import type { SecretBox } from '../../crypto/secret-box.ts';
import type { Factor, FactorsRepository } from '../../store/factors.ts';
import { matchTotpStep } from './totp.ts';

export type TotpVerification = 'accepted' | 'wrong_code' | 'replayed_code';

/** TOTP as a factor of a user: secrets sealed at rest, each time step accepted once. */
export class TotpFactor {
  readonly #factors: FactorsRepository;
  readonly #secretBox: SecretBox;

  constructor(factors: FactorsRepository, secretBox: SecretBox) {
    this.#factors = factors;
    this.#secretBox = secretBox;
  }

  async listFor(userId: string): Promise<Factor[]> {
    return (await this.#factors.listForUser(userId)).filter((factor) => factor.type === 'totp');
  }

  async enroll(userId: string, secret: string, name: string, now: number): Promise<Factor> {
    return this.#factors.add({ userId, type: 'totp', name, secret: this.#seal(userId, secret), now });
  }

  /** Checks a code against every TOTP factor of the user; a step already used is a replay. */
  async verify(userId: string, code: string, now: number, skewSteps: number): Promise<TotpVerification> {
    for (const factor of await this.listFor(userId)) {
      const secret = this.#secretBox.open(factor.secret, totpSeedContext(userId));
      const step = matchTotpStep(secret, code, now, skewSteps);
      if (step === undefined) continue;
      return (await this.#factors.consumeTotpStep(factor.id, step, now)) ? 'accepted' : 'replayed_code';
    }
    return 'wrong_code';
  }

  /** Marks the step of the confirmation code used, so the code shown at enrollment cannot be replayed. */
  async consumeStep(factor: Factor, step: number, now: number): Promise<boolean> {
    return this.#factors.consumeTotpStep(factor.id, step, now);
  }

  #seal(userId: string, secret: string): string {
    return this.#secretBox.seal(secret, totpSeedContext(userId));
  }
}

/** The seal context of a TOTP seed: it opens for its user only. */
export function totpSeedContext(userId: string): string {
  return `totp:${userId}`;
}
