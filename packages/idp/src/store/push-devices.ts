import type { NewAuditEvent } from './audit-events.ts';
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

/**
 * Where a push service delivers Web Push messages for a device (the browser's `PushSubscription`):
 * the service's HTTPS endpoint and the device's keys for message encryption (RFC 8291), base64url.
 */
export interface WebPushSubscription {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

/** Only the members a push needs: nothing else a caller passed along is stored. */
export function pickWebPushSubscription({ endpoint, keys }: WebPushSubscription): WebPushSubscription {
  return { endpoint, keys: { p256dh: keys.p256dh, auth: keys.auth } };
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
  /**
   * Resolves true when a device that was not yet revoked is revoked now; appends `auditEvent` with it,
   * in one transaction, when given.
   */
  revoke(id: string, now: number, auditEvent?: NewAuditEvent): Promise<boolean>;
  /**
   * Keeps the device's Web Push subscription, replacing any earlier one; null forgets it. Resolves
   * true when a device that is not revoked was changed.
   */
  setWebPushSubscription(id: string, subscription: WebPushSubscription | null): Promise<boolean>;
  /** The Web Push subscriptions of the user's devices that are not revoked, oldest device first. */
  listWebPushSubscriptions(
    userId: string,
  ): Promise<{ deviceId: string; subscription: WebPushSubscription }[]>;
}
