/**
 * The signed-in operator, as the dashboard holds it: in this tab's memory only. A reload or a new tab
 * signs in again through the provider, which answers at once while its own MFA session lasts, so nothing
 * that grants access is ever written to storage a script could read later (no localStorage, no
 * sessionStorage for tokens).
 */
export interface OperatorSession {
  accessToken: string;
  /** Epoch milliseconds after which the access token is no longer sent. */
  expiresAt: number;
  /** For `id_token_hint` at sign-out. */
  idToken: string;
  /** The operator's user id (`sub`). */
  userId: string;
  /** When the operator last authenticated (`auth_time`, epoch seconds). */
  authTime: number | null;
}

let current: OperatorSession | undefined;

/** The session, while its access token has not expired. */
export function currentSession(now = Date.now()): OperatorSession | undefined {
  return current && current.expiresAt > now ? current : undefined;
}

export function startSession(session: OperatorSession): void {
  current = session;
}

export function endSession(): void {
  current = undefined;
}
