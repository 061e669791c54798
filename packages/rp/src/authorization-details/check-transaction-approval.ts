import { StepupRpError } from '../errors.ts';
import { canonicalReceivedDetails } from './transaction-details.ts';

/** What the callback knows about a transaction-bound step-up when the tokens come back. */
export interface TransactionApprovalEvidence {
  /** The canonical `authorization_details` the app sent. */
  requested: string;
  /** `authorization_details` from the validated ID token, when it has the claim. */
  idTokenDetails: unknown;
  /** `authorization_details` from the token response (RFC 9396 section 7), when it has the member. */
  tokenResponseDetails: unknown;
  /** The ID token's `auth_time`. */
  authTime: number | undefined;
  /** When the step-up was started (the transaction's `createdAt`), seconds since the epoch. */
  startedAt: number;
  now: number;
  skew: number;
}

/**
 * Checks that the provider approved exactly what the app asked for (RFC 9396 section 7: the token
 * says which `authorization_details` were granted), and that the approval is an authentication that
 * happened after the step-up started — not an older one replayed or reused by a lenient provider.
 * Every `authorization_details` the provider sent must be equal, in canonical JSON, to the request;
 * at least one must be there. Throws `authorization_details_mismatch` or `approval_stale`.
 */
export function checkTransactionApproval(evidence: TransactionApprovalEvidence): void {
  const received = [evidence.idTokenDetails, evidence.tokenResponseDetails].filter(
    (value) => value !== undefined,
  );
  if (received.length === 0) {
    throw new StepupRpError(
      'authorization_details_mismatch',
      'The provider did not confirm what was approved.',
      {
        detail: 'neither the ID token nor the token response carries authorization_details',
      },
    );
  }
  for (const value of received) {
    const canonical = canonicalReceivedDetails(value);
    if (canonical !== evidence.requested) {
      throw new StepupRpError(
        'authorization_details_mismatch',
        'What was approved is not what this app asked to approve.',
        { detail: `requested ${evidence.requested}; received ${canonical ?? 'a value that is not JSON'}` },
      );
    }
  }
  const { authTime, startedAt, now, skew } = evidence;
  if (authTime === undefined || authTime < startedAt - skew || authTime > now + skew) {
    throw new StepupRpError('approval_stale', 'The approval is not a fresh one for this request.', {
      detail: `auth_time ${authTime ?? '(none)'}; step-up started at ${startedAt}, now ${now}, skew ${skew}`,
    });
  }
}
