import type { NewAuditEvent } from './audit-events.ts';

/** One field of an authorization detail the person must see before approving it, and its label. */
export interface AuthorizationDetailDisplayField {
  /** A top-level member of the detail object (RFC 9396 2), which the type's schema requires. */
  field: string;
  /** Shown before the value: "holder" in "holder Alice Example". */
  label: string;
}

/**
 * An `authorization_details` type the operator registered (RFC 9396 2): the JSON Schema (2020-12) a
 * detail of this type must satisfy, the sentence that says what approving it does, and the fields the
 * person must see, in order.
 */
export interface AuthorizationDetailTypeRecord {
  /** The detail's `type` member, e.g. `salary_payout_account`. */
  type: string;
  /** What approving a detail of this type does: "Change salary payout account". */
  description: string;
  /** Applied to the whole detail object, `type` member included. */
  schema: Record<string, unknown>;
  displayFields: AuthorizationDetailDisplayField[];
}

/** The operator's registry of `authorization_details` types; durable, shared by every node. */
export interface AuthorizationDetailTypesRepository {
  /**
   * Creates or replaces the type with the same name, and appends `auditEvent` when given in the same
   * transaction: both are written, or neither.
   */
  upsert(record: AuthorizationDetailTypeRecord, auditEvent?: NewAuditEvent): Promise<void>;
  find(type: string): Promise<AuthorizationDetailTypeRecord | undefined>;
  /** Every type, ordered by name. */
  list(): Promise<AuthorizationDetailTypeRecord[]>;
  /** Resolves true when a type was removed; appends `auditEvent` in the same transaction when one was. */
  remove(type: string, auditEvent?: NewAuditEvent): Promise<boolean>;
}
