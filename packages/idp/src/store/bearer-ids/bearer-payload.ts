import type { OidcAdapterPayload } from '../oidc-adapter.ts';

/**
 * Models whose ids are not secrets and stay in clear. A client id is public. A grant id is copied
 * into every token of the grant (`revokeByGrantId` and reuse detection find them by it), and no
 * endpoint accepts a grant id as a credential. Every other model's id is what a client or browser
 * presents: token values, codes, the session cookie, the interaction cookie, request URIs.
 */
export const PLAIN_ID_MODELS: readonly string[] = ['Client', 'Grant'];

export function isBearerIdModel(model: string): boolean {
  return !PLAIN_ID_MODELS.includes(model);
}

/** Where an Interaction keeps its resume URL once the uid (its last path segment) is cut off. */
const RETURN_TO_PREFIX = 'returnToPrefix';

/**
 * The payload as stored under a hashed id: without the copies of the id oidc-provider writes into
 * it, which `restoreBearerPayload` puts back from the id the caller presents.
 *
 * - `jti` is the id itself in every model.
 * - An Interaction's `returnTo` ends with its uid (`/auth/<uid>`).
 * - An Interaction's `session.cookie` is the session cookie value. It cannot be put back, and is
 *   dropped: oidc-provider 9 writes it but neither it nor Stepup reads it (the interaction finds its
 *   session by `session.uid`, which is not a credential).
 */
export function stripBearerPayload(
  model: string,
  id: string,
  payload: OidcAdapterPayload,
): OidcAdapterPayload {
  const stored: OidcAdapterPayload = { ...payload };
  if (stored.jti === id) delete stored.jti;
  if (model === 'Interaction') {
    const { returnTo, session } = stored;
    if (typeof returnTo === 'string' && returnTo.endsWith(`/${id}`)) {
      delete stored.returnTo;
      stored[RETURN_TO_PREFIX] = returnTo.slice(0, returnTo.length - id.length);
    }
    if (isRecord(session) && 'cookie' in session) {
      const { cookie: _sessionCookie, ...rest } = session;
      stored.session = rest;
    }
  }
  return stored;
}

/** The payload oidc-provider wrote, from the stored one and the id it was found by. */
export function restoreBearerPayload(
  model: string,
  id: string,
  stored: OidcAdapterPayload,
): OidcAdapterPayload {
  const payload: OidcAdapterPayload = { ...stored };
  if (payload.jti === undefined) payload.jti = id;
  if (model === 'Interaction') {
    const prefix = payload[RETURN_TO_PREFIX];
    if (typeof prefix === 'string') {
      delete payload[RETURN_TO_PREFIX];
      payload.returnTo = prefix + id;
    }
  }
  return payload;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
