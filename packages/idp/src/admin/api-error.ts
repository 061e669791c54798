/** The stable codes of the management API's errors, with their HTTP status. */
export const API_ERROR_STATUS = {
  invalid_token: 401,
  insufficient_user_authentication: 401,
  missing_scope: 403,
  not_admin: 403,
  /** The token was minted for another API (RFC 8707 resource, RFC 9068 `aud`). */
  wrong_audience: 403,
  /** The change would give (or take) scopes the caller does not hold itself. */
  scope_not_held: 403,
  invalid_body: 400,
  /** The password is too short, too common, or the account's own name (NIST SP 800-63B-4 rules). */
  password_rejected: 400,
  invalid_query: 400,
  /** A JSON body nested deeper than the API accepts. */
  body_too_deep: 400,
  /** A body larger than the route accepts. */
  body_too_large: 413,
  not_found: 404,
  conflict: 409,
  rate_limited: 429,
  internal: 500,
  /** The store is unreachable for a moment; retry after `Retry-After` seconds. */
  temporarily_unavailable: 503,
} as const;

export type ApiErrorCode = keyof typeof API_ERROR_STATUS;

/**
 * A refused management call, sent as `{ error: { code, message, details } }`. The message says what
 * to do; `details` carries what a program needs (`scope`, `field`, `issues`).
 */
export class ApiError extends Error {
  readonly code: ApiErrorCode;
  readonly status: number;
  readonly details: Record<string, unknown>;
  /** A `WWW-Authenticate` value to send with the error (RFC 6750 3, RFC 9470 3). */
  readonly challenge: string | undefined;

  constructor(
    code: ApiErrorCode,
    message: string,
    options: { details?: Record<string, unknown>; challenge?: string } = {},
  ) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = API_ERROR_STATUS[code];
    this.details = options.details ?? {};
    this.challenge = options.challenge;
  }

  toBody(): { error: { code: ApiErrorCode; message: string; details: Record<string, unknown> } } {
    return { error: { code: this.code, message: this.message, details: this.details } };
  }
}
