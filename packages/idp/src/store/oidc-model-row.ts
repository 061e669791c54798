import { GRANT_BOUND_MODELS, type OidcAdapterPayload } from './oidc-adapter.ts';

/** The columns of an `oidc_models` row that the SQL stores copy out of the payload to look it up by. */
export interface OidcModelIndexedColumns {
  grant_id: string | null;
  user_code: string | null;
  uid: string | null;
  expires_at: number | null;
  consumed_at: number | null;
}

/**
 * The indexed columns of one model instance: its grant (only for models issued under one), user
 * code, uid, expiry from `expiresIn` seconds (none when undefined) and when it was consumed.
 */
export function oidcModelIndexedColumns(
  model: string,
  payload: OidcAdapterPayload,
  expiresIn: number | undefined,
  now: () => number,
): OidcModelIndexedColumns {
  return {
    grant_id: GRANT_BOUND_MODELS.has(model) ? stringOrNull(payload.grantId) : null,
    user_code: stringOrNull(payload.userCode),
    uid: stringOrNull(payload.uid),
    expires_at: typeof expiresIn === 'number' ? now() + Math.ceil(expiresIn) : null,
    consumed_at: typeof payload.consumed === 'number' ? Math.floor(payload.consumed) : null,
  };
}

/** The payload as oidc-provider reads it back: `consumed` comes from the row, not the stored JSON. */
export function withConsumedAt(payload: OidcAdapterPayload, consumedAt: number | null): OidcAdapterPayload {
  if (consumedAt !== null) payload.consumed = consumedAt;
  return payload;
}

/**
 * Refuses writes through the `Client` model: registrations live in the clients store, where they
 * are managed, and the adapter only reads them.
 */
export function rejectClientModelWrite(model: string, method: string): void {
  if (model === 'Client') {
    throw new TypeError(`Client.${method} is not supported: manage registrations through the clients store`);
  }
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}
