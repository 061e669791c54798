import type { NewAuditEvent } from './audit-events.ts';
/** Kinds of second factor a user can enrol; later methods extend this union. */
export type FactorType = 'totp';

export interface Factor {
  id: string;
  userId: string;
  type: FactorType;
  name: string;
  /** Opaque to the store: the caller encrypts it before `add` and decrypts after reading. */
  secret: string;
  /** Epoch seconds. */
  createdAt: number;
  /** Epoch seconds of the last successful use, or null if never used. */
  lastUsedAt: number | null;
}

export interface AddFactorInput {
  userId: string;
  type: FactorType;
  name: string;
  secret: string;
  now: number;
}

export interface FactorsRepository {
  add(input: AddFactorInput): Promise<Factor>;
  listForUser(userId: string): Promise<Factor[]>;
  findById(id: string): Promise<Factor | undefined>;
  /** Resolves true when a factor was renamed. */
  rename(id: string, name: string): Promise<boolean>;
  /** Resolves true when a factor was removed; appends `auditEvent` with it, in one transaction, when given. */
  remove(id: string, auditEvent?: NewAuditEvent): Promise<boolean>;
  /**
   * Marks a TOTP time step as used. Atomic: resolves true only for the one caller that advanced the
   * factor past `step`; a step at or below the last used one resolves false (RFC 6238 section 5.2).
   */
  consumeTotpStep(factorId: string, step: number, now: number): Promise<boolean>;
}
