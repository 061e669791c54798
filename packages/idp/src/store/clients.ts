import {
  isLegacyPreviousClientSecret,
  PREVIOUS_SECRET_METADATA,
} from '../client-secrets/previous-client-secret.ts';
import type { NewAuditEvent } from './audit-events.ts';
import { StoreConflictError } from './errors.ts';

/** An OAuth client registration, as oidc-provider client metadata (snake_case, as on the wire). */
export type ClientMetadata = { client_id: string } & Record<string, unknown>;

/**
 * The provider's own clients, and what each is: the account page (`stepup-account`, a static client
 * of oidc-provider) and the dashboard (`stepup-dashboard`, rewritten at every start). A registration
 * under one of these ids would take the provider's place: another redirect URI, a secret, scopes.
 */
export const RESERVED_CLIENT_IDS: Readonly<Record<string, string>> = {
  'stepup-account': 'account page',
  'stepup-dashboard': 'dashboard',
};

/** True for a client id only the provider itself may register (see `RESERVED_CLIENT_IDS`). */
export function isReservedClientId(clientId: string): boolean {
  return Object.hasOwn(RESERVED_CLIENT_IDS, clientId);
}

/** An operator or API call tried to register or replace one of the provider's own clients. */
export class ReservedClientIdError extends StoreConflictError {
  readonly clientId: string;

  constructor(clientId: string) {
    super(
      `client_id "${clientId}" is reserved for the provider's own ${RESERVED_CLIENT_IDS[clientId] ?? 'client'}; choose another id`,
    );
    this.name = 'ReservedClientIdError';
    this.clientId = clientId;
  }
}

/**
 * Checks a registration before it is stored: a non-empty string `client_id` and no secret in plain
 * (else `TypeError`: a secret rests hashed or sealed, see `protectClientSecret`), and not a reserved
 * id unless the provider writes its own client (`builtIn`; else `ReservedClientIdError`). Returns
 * the id.
 */
export function checkClientToStore(metadata: ClientMetadata, options: { builtIn?: boolean } = {}): string {
  const clientId: unknown = metadata.client_id;
  if (typeof clientId !== 'string' || clientId === '') {
    throw new TypeError('client metadata needs a non-empty string client_id');
  }
  if (
    metadata.client_secret !== undefined ||
    isLegacyPreviousClientSecret(metadata[PREVIOUS_SECRET_METADATA])
  ) {
    throw new TypeError(
      'a client secret is stored hashed or sealed: pass the metadata through protectClientSecret',
    );
  }
  if (isReservedClientId(clientId) && options.builtIn !== true) throw new ReservedClientIdError(clientId);
  return clientId;
}

export interface ClientsRepository {
  /**
   * Creates or replaces the registration with the same `client_id`, and appends `auditEvent` when
   * given, in one transaction. A reserved id (the provider's own clients) is refused with
   * `ReservedClientIdError` and nothing is written, unless `builtIn`: only the provider's start-up
   * provisioning passes it.
   */
  upsert(
    metadata: ClientMetadata,
    options?: { builtIn?: boolean; auditEvent?: NewAuditEvent },
  ): Promise<void>;
  find(clientId: string): Promise<ClientMetadata | undefined>;
  /** Every registration, ordered by `client_id`. */
  list(): Promise<ClientMetadata[]>;
  /**
   * Resolves true when a registration was removed; appends `auditEvent` in the same transaction when
   * given and a registration was removed (else nothing was written).
   */
  remove(clientId: string, auditEvent?: NewAuditEvent): Promise<boolean>;
}
