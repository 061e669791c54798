import type { NewAuditEvent } from './audit-events.ts';
/**
 * How the authenticator keeps the credential, as its backup-eligibility flag says (WebAuthn Level 3
 * 6.1.3): `singleDevice` keys never leave the authenticator, `multiDevice` keys may be synced.
 */
export type WebAuthnDeviceType = 'singleDevice' | 'multiDevice';

/** How the browser reached the authenticator (`PublicKeyCredential.authenticatorAttachment`). */
export type WebAuthnAttachment = 'platform' | 'cross-platform';

/** A WebAuthn public key credential registered to a user: a security key or a passkey. */
export interface WebAuthnCredential {
  /** The credential ID, base64url, as the authenticator returned it. Unique across all users. */
  id: string;
  userId: string;
  /** The COSE-encoded public key. */
  publicKey: Uint8Array<ArrayBuffer>;
  /** The last signature counter accepted; 0 for authenticators that do not count. */
  counter: number;
  /** Hints for the browser (`usb`, `nfc`, `ble`, `hybrid`, `internal`, …). */
  transports: string[];
  /** The authenticator model's AAGUID; all zeros when attestation was not asked for. */
  aaguid: string;
  deviceType: WebAuthnDeviceType;
  /** Whether the key is backed up (synced) as of its last use. */
  backedUp: boolean;
  /** Unknown when the browser did not report it. */
  attachment: WebAuthnAttachment | null;
  name: string;
  /** Epoch seconds. */
  createdAt: number;
  /** Epoch seconds of the last successful use, or null if never used. */
  lastUsedAt: number | null;
}

export type AddWebAuthnCredentialInput = Omit<WebAuthnCredential, 'createdAt' | 'lastUsedAt'> & {
  now: number;
};

/**
 * Registered WebAuthn credentials. The store keeps what a ceremony verified; it verifies nothing
 * itself, except that the signature counter only moves forward.
 */
export interface WebAuthnCredentialsRepository {
  /** Throws `StoreConflictError` when the credential ID is already registered (to anyone). */
  add(input: AddWebAuthnCredentialInput): Promise<WebAuthnCredential>;
  findById(id: string): Promise<WebAuthnCredential | undefined>;
  /** Oldest first. */
  listForUser(userId: string): Promise<WebAuthnCredential[]>;
  /**
   * Records a successful assertion. Atomic: resolves true when the stored counter was advanced to
   * `counter` (or both are 0, for an authenticator that does not count); resolves false, changing
   * nothing, when `counter` is not above the stored one — a regression, which may mean a cloned
   * authenticator (WebAuthn Level 3 7.2 step 21).
   */
  recordUse(id: string, use: { counter: number; backedUp: boolean; now: number }): Promise<boolean>;
  /** Resolves true when a credential was renamed. */
  rename(id: string, name: string): Promise<boolean>;
  /** Resolves true when a credential was removed; appends `auditEvent` with it, in one transaction, when given. */
  remove(id: string, auditEvent?: NewAuditEvent): Promise<boolean>;
}
