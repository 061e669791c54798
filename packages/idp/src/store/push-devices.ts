/**
 * The public half of a push device's ECDSA P-256 key, as a JWK (RFC 7517, RFC 7518 section 6.2.1).
 * Only these four members are kept: the private part never leaves the device.
 */
export interface PushDevicePublicKey {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
}

/** A phone (the authenticator app) or a terminal (the CLI) that answers push requests for a user. */
export interface PushDevice {
  id: string;
  userId: string;
  /** Chosen by the person at enrollment, e.g. "Alice's phone". */
  name: string;
  publicKey: PushDevicePublicKey;
  /** Epoch seconds. */
  createdAt: number;
  /** Epoch seconds of the last answered request, or null if never used. */
  lastUsedAt: number | null;
  /** Epoch seconds when the device was revoked; a revoked device is refused everywhere. */
  revokedAt: number | null;
}

export interface AddPushDeviceInput {
  userId: string;
  name: string;
  publicKey: PushDevicePublicKey;
  now: number;
}

export interface PushDevicesRepository {
  add(input: AddPushDeviceInput): Promise<PushDevice>;
  findById(id: string): Promise<PushDevice | undefined>;
  /** Every device of the user, revoked ones included, oldest first. */
  listForUser(userId: string): Promise<PushDevice[]>;
  markUsed(id: string, now: number): Promise<void>;
  /** Resolves true when a device that is not revoked was renamed. */
  rename(id: string, name: string): Promise<boolean>;
  /** Resolves true when a device that was not yet revoked is revoked now. */
  revoke(id: string, now: number): Promise<boolean>;
}
