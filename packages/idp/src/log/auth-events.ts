import type { Logger } from 'pino';

/**
 * The authentication events the provider reports. Each carries the reason in words an operator can
 * act on; none ever carries a password, a code, a secret or a token.
 */
export type AuthEvent =
  | { event: 'login.succeeded'; userId: string; clientId: string; ip: string }
  | {
      event: 'login.failed';
      reason: 'unknown_user' | 'wrong_password' | 'other_account';
      clientId: string;
      ip: string;
    }
  | { event: 'login.throttled'; scope: 'account' | 'ip'; retryAfter: number; clientId: string; ip: string }
  | { event: 'stepup.requested'; userId: string; clientId: string; acr: string[]; maxAge?: number }
  | { event: 'stepup.satisfied'; userId: string; clientId: string; acr: string; amr: string[] }
  | { event: 'stepup.refused'; userId?: string; clientId: string; reason: string }
  | { event: 'factor.enrolled'; userId: string; factor: string; clientId?: string }
  | {
      event: 'factor.failed';
      userId: string;
      factor: string;
      reason: 'wrong_code' | 'replayed_code' | 'throttled';
    };

export type AuthEventLogger = (event: AuthEvent) => void;

export function createAuthEventLogger(logger: Logger): AuthEventLogger {
  const auth = logger.child({ component: 'auth' });
  return (event) => {
    const failed =
      event.event === 'login.failed' ||
      event.event === 'login.throttled' ||
      event.event === 'stepup.refused' ||
      event.event === 'factor.failed';
    if (failed) auth.warn(event, event.event);
    else auth.info(event, event.event);
  };
}
