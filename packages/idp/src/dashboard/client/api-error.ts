import { INSUFFICIENT_USER_AUTHENTICATION, parseBearerChallenges } from '@stepup/core';

/** A refusal of the management API, in its one error shape `{ error: { code, message, details } }`. */
export class ApiError extends Error {
  readonly status: number;
  /** The stable code: `invalid_body`, `missing_scope`, `not_found`, `insufficient_user_authentication`, … */
  readonly code: string;
  readonly details: Record<string, unknown>;
  /** From `WWW-Authenticate` on a 401 asking for a fresher authentication (RFC 9470). */
  readonly maxAge: number | undefined;

  constructor(
    status: number,
    code: string,
    message: string,
    details: Record<string, unknown> = {},
    maxAge?: number,
  ) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
    this.maxAge = maxAge;
  }

  /** True when the operator must sign in again (expired token, or too old an authentication). */
  get needsSignIn(): boolean {
    return this.status === 401;
  }

  /** The field a 400 names (`details.field`), to point at the input. */
  get field(): string | undefined {
    return typeof this.details.field === 'string' ? this.details.field : undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads an error response. The API's shape is `{ error: { code, message, details } }`; a body that is
 * not (a proxy's HTML page, say) still gives a usable error named after the status.
 */
export async function readApiError(response: Response): Promise<ApiError> {
  const body: unknown = await response.json().catch(() => undefined);
  const error = isRecord(body) ? body.error : undefined;
  let code = `http_${response.status}`;
  let message = `The request failed (HTTP ${response.status}).`;
  let details: Record<string, unknown> = {};
  if (isRecord(error)) {
    if (typeof error.code === 'string') code = error.code;
    if (typeof error.message === 'string') message = error.message;
    if (isRecord(error.details)) details = error.details;
  } else if (isRecord(body) && typeof body.error === 'string') {
    // The Actions stop-gap API's shape, `{ error, error_description }`.
    code = body.error;
    if (typeof body.error_description === 'string') message = body.error_description;
  }
  const challenge = parseBearerChallenges(response.headers.get('www-authenticate') ?? '')[0];
  if (challenge?.error === INSUFFICIENT_USER_AUTHENTICATION) code = INSUFFICIENT_USER_AUTHENTICATION;
  return new ApiError(response.status, code, message, details, challenge?.max_age);
}
