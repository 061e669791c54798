import type { Logger } from 'pino';
import type { PostLoginProtocol } from '../actions/post-login-event.ts';
import type { PostLoginDenyCode } from '../actions/post-login-outcome.ts';
import type { PushErrorCode } from '../factors/push/push-error.ts';
import type { WebAuthnErrorCode } from '../factors/webauthn/webauthn-error.ts';
import type { AuditEventsRepository, AuditOutcome, NewAuditEvent } from '../store/audit-events.ts';
import type { PushDenialReason } from '../store/push-challenges.ts';
import type { ThrottleCode } from '../throttle/throttle-refusal.ts';
import { currentRequestIp } from './request-ip-context.ts';

/**
 * The authentication events the provider reports. Each carries the reason in words an operator can
 * act on; none ever carries a password, a code, a secret or a token.
 */
/**
 * What a transaction-bound step-up (RFC 9396) was about, for the audit log: the types and the digest
 * of the details, never the details (an account number stays out of the log).
 */
export interface AuditedAuthorizationDetails {
  types: string[];
  digest: string;
}

export type AuthEvent =
  | { event: 'login.succeeded'; userId: string; clientId: string; ip: string }
  | {
      event: 'login.failed';
      reason: 'unknown_user' | 'wrong_password' | 'other_account' | 'blocked';
      clientId: string;
      ip: string;
    }
  | { event: 'login.throttled'; code: ThrottleCode; retryAfter?: number; clientId: string; ip: string }
  | {
      event: 'stepup.requested';
      userId: string;
      clientId: string;
      acr: string[];
      maxAge?: number;
      authorizationDetails?: AuditedAuthorizationDetails;
    }
  | {
      event: 'stepup.satisfied';
      userId: string;
      clientId: string;
      acr: string;
      amr: string[];
      authorizationDetails?: AuditedAuthorizationDetails;
    }
  | {
      event: 'stepup.refused';
      userId?: string;
      clientId: string;
      reason: string;
      authorizationDetails?: AuditedAuthorizationDetails;
    }
  | { event: 'factor.enrolled'; userId: string; factor: string; clientId?: string }
  | {
      event: 'factor.failed';
      userId: string;
      factor: string;
      reason: 'wrong_code' | 'replayed_code' | 'throttled';
      /** Why a throttled code was refused before it was checked. */
      code?: ThrottleCode;
    }
  /** A first set of recovery codes, shown once, after the person enrolled their first second factor. */
  | { event: 'recovery_codes.issued'; userId: string; count: number; clientId?: string }
  /** A new set replaced the old one, which stopped working. */
  | { event: 'recovery_codes.regenerated'; userId: string; count: number; clientId?: string }
  | { event: 'recovery_code.used'; userId: string; remaining: number; clientId: string }
  | { event: 'email_code.sent'; userId: string; clientId: string }
  /** A code was not sent: the account reached the cap on codes sent per window. */
  | { event: 'email_code.throttled'; userId: string; clientId: string; retryAfter: number }
  /** A push request with number matching went to the person's devices. */
  | { event: 'push.sent'; userId: string; clientId: string; challengeId: string; ip: string }
  | { event: 'push.approved'; userId: string; clientId: string; challengeId: string; deviceId: string }
  | {
      event: 'push.denied';
      userId: string;
      clientId: string;
      challengeId: string;
      deviceId: string;
      /** `wrong_number`: the person picked a number the login page did not show, perhaps blindly. */
      reason: PushDenialReason;
    }
  | { event: 'push.expired'; userId: string; clientId: string; challengeId: string }
  /** The login ended (finished another way, cancelled) before the request was answered. */
  | { event: 'push.withdrawn'; userId: string; clientId: string; challengeId: string }
  /** Something a device sent was refused and changed nothing (bad signature, replay, expired…). */
  | {
      event: 'push.rejected';
      reason: PushErrorCode;
      deviceId?: string;
      challengeId?: string;
      userId?: string;
    }
  /** No push was sent: the cap on requests per window, or push is paused after denials. */
  | {
      event: 'push.throttled';
      userId: string;
      clientId: string;
      reason: 'cap' | 'paused';
      retryAfter: number;
    }
  /** A security key or passkey response was refused and changed nothing (wrong origin, stale challenge…). */
  | {
      event: 'webauthn.rejected';
      reason: WebAuthnErrorCode;
      ceremony: 'registration' | 'authentication' | 'sign-in';
      clientId: string;
      userId?: string;
      credentialId?: string;
    }
  /**
   * A valid signature whose counter did not move forward: two authenticators may hold this key (a
   * cloned authenticator). The assertion was refused; the credential stays registered for the owner
   * to review and remove.
   */
  | { event: 'webauthn.possible_clone'; userId: string; credentialId: string; clientId: string }
  /** The person chose "remember this browser" after a second factor. */
  | { event: 'browser.remembered'; userId: string; clientId: string; days: number }
  /** A remembered browser skipped the second factor an Action asked for (no proof is added). */
  | { event: 'browser.remembered_used'; userId: string }
  /** Every remembered browser of the person stopped counting (removed factor, or their own request). */
  | { event: 'browser.remembered_forgotten'; userId: string; reason: 'factor_removed' | 'requested' }
  /** Account page: a factor was renamed or removed (a push device is revoked). */
  | { event: 'factor.renamed'; userId: string; factor: string; factorId: string }
  | { event: 'factor.removed'; userId: string; factor: string; factorId: string }
  /** A password reset link was emailed (asking for an address without an account records nothing). */
  | { event: 'password.reset_requested'; userId: string; ip: string }
  /** A reset link was followed but the new password was not set (bad link, refused password, wrong code). */
  | { event: 'password.reset_refused'; userId?: string; reason: string; ip: string }
  /** Account page: the current password given to change it was wrong. */
  | { event: 'password.change_refused'; userId: string; reason: string; ip: string }
  /** Account page: a change was refused and nothing changed. */
  | {
      event: 'account.change_refused';
      userId: string;
      reason:
        | 'csrf'
        | 'stale_step_up'
        | 'not_found'
        | 'last_factor'
        | 'bad_name'
        | 'wrong_code'
        | 'factor_switched_off';
    }
  /**
   * A rotated refresh token was presented again after its reuse interval (a stolen copy, or a client
   * that kept an old one): the grant and every token issued under it were revoked (RFC 9700 4.14.2).
   */
  | { event: 'refresh_token.reused'; userId?: string; clientId: string; grantId?: string; ip: string }
  /** A post-login Action called `api.access.deny`: the login or refresh was refused with its reason. */
  | {
      event: 'action.denied';
      action: string | null;
      reason: string;
      userId: string;
      clientId: string;
      protocol: PostLoginProtocol;
    }
  /**
   * A post-login Action failed (threw, timed out, ran out of memory, misused `api`…) or the Actions
   * could not be loaded (`action` null): the login or refresh was refused (fail closed).
   */
  | {
      event: 'action.failed';
      action: string | null;
      errorCode: PostLoginDenyCode;
      userId: string;
      clientId: string;
      protocol: PostLoginProtocol;
    };

export type AuthEventLogger = (event: AuthEvent) => void;

/** The provider's own logger of authentication events, which also appends them to the audit log. */
export interface AuditingAuthEventLogger extends AuthEventLogger {
  /**
   * Resolves once every audit append started so far has finished (written, or failed and logged):
   * the provider waits for it before closing the store, so no event is lost at shutdown.
   */
  settled(): Promise<void>;
}

/**
 * Push refusals decided before any device key verified the request: the device and challenge ids
 * are whatever the sender chose, and anyone may send them, unlimited. They are logged (a warning
 * per request, to count and alert on), never appended to the audit log, which keeps what an
 * authenticated actor did.
 */
const UNAUTHENTICATED_PUSH_REFUSALS: ReadonlySet<PushErrorCode> = new Set([
  'invalid_request',
  'unknown_device',
  'bad_signature',
  'invalid_enrollment_token',
  'invalid_public_key',
]);

function isUnauthenticatedNoise(event: AuthEvent): boolean {
  return event.event === 'push.rejected' && UNAUTHENTICATED_PUSH_REFUSALS.has(event.reason);
}

/** Where authentication events are kept besides the log: the audit log, stamped by the provider's clock. */
export interface AuthEventAudit {
  auditEvents: AuditEventsRepository;
  /** Epoch seconds. */
  clock: () => number;
}

/**
 * Logs each event (warn for refusals, info otherwise) and, with `audit`, appends it to the audit log
 * with the outcome `failure` or `success`, except unauthenticated push refusals (log only). An append
 * that fails is logged; it never fails the login.
 */
export function createAuthEventLogger(logger: Logger, audit?: AuthEventAudit): AuditingAuthEventLogger {
  const auth = logger.child({ component: 'auth' });
  const pending = new Set<Promise<void>>();
  const log = (event: AuthEvent) => {
    const outcome = AUDIT_OUTCOMES[event.event];
    // An unanswered push is not worth a warning in the log, but the step it was for did not succeed.
    if (outcome === 'failure' && event.event !== 'push.expired') auth.warn(event, event.event);
    else auth.info(event, event.event);
    if (!audit || isUnauthenticatedNoise(event)) return;
    const appending: Promise<void> = audit.auditEvents
      .append(toAuditEvent(event, outcome, audit.clock()))
      .then(
        () => {},
        (error: unknown) => {
          auth.error({ err: error, event: event.event }, 'could not append to the audit log');
        },
      )
      .finally(() => pending.delete(appending));
    pending.add(appending);
  };
  return Object.assign(log, {
    async settled() {
      await Promise.all(pending);
    },
  });
}

/** What each event means for the audit log; an event added to `AuthEvent` needs its entry here. */
const AUDIT_OUTCOMES: Record<AuthEvent['event'], AuditOutcome> = {
  'account.change_refused': 'failure',
  'action.denied': 'failure',
  'action.failed': 'failure',
  'browser.remembered': 'success',
  'browser.remembered_forgotten': 'success',
  'browser.remembered_used': 'success',
  'email_code.sent': 'success',
  'email_code.throttled': 'failure',
  'factor.enrolled': 'success',
  'factor.failed': 'failure',
  'factor.removed': 'success',
  'factor.renamed': 'success',
  'login.failed': 'failure',
  'login.succeeded': 'success',
  'login.throttled': 'failure',
  'password.change_refused': 'failure',
  'password.reset_refused': 'failure',
  'password.reset_requested': 'success',
  'push.approved': 'success',
  'push.denied': 'failure',
  'push.expired': 'failure',
  'push.rejected': 'failure',
  'push.sent': 'success',
  'push.throttled': 'failure',
  'push.withdrawn': 'success',
  'recovery_code.used': 'success',
  'recovery_codes.issued': 'success',
  'recovery_codes.regenerated': 'success',
  'refresh_token.reused': 'failure',
  'stepup.refused': 'failure',
  'stepup.requested': 'success',
  'stepup.satisfied': 'success',
  'webauthn.possible_clone': 'failure',
  'webauthn.rejected': 'failure',
};

function toAuditEvent(event: AuthEvent, outcome: AuditOutcome, time: number): NewAuditEvent {
  const { event: type, ...fields } = event;
  const { userId, clientId, ip, ...details } = fields as typeof fields & {
    userId?: string;
    clientId?: string;
    ip?: string;
  };
  // The event's own IP when it names one; else that of the request that caused it, if any.
  const requestIp = ip ?? currentRequestIp();
  return {
    time,
    type,
    outcome,
    ...(userId === undefined ? {} : { userId }),
    ...(clientId === undefined ? {} : { clientId }),
    ...(requestIp === undefined ? {} : { ip: requestIp }),
    details,
  };
}
