import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { MethodName, ProvenMethod } from '@stepup/core';
import type { StoredActionsDecision } from '../actions/login-actions.ts';
import type { InteractionStatesRepository } from '../store/interaction-states.ts';

/** What one login interaction has established so far; kept server-side, keyed by interaction uid. */
export interface TransactionApproval {
  digest: string;
  method: 'push' | 'security-key';
  /** Epoch seconds. */
  at: number;
}

export interface InteractionProgress {
  csrf: string;
  startedAt: number;
  accountId?: string;
  proofs: ProvenMethod[];
  /**
   * A transaction-bound login: the approval made in this interaction, bound to the digest of the
   * details it showed (RFC 9396). Checked against the request's details when the login completes.
   */
  transactionApproval?: TransactionApproval;
  /**
   * What the post-login Actions decided, once the person is identified (they run once per login;
   * a redirect of theirs waits here for `/continue`).
   */
  actions?: StoredActionsDecision;
  /**
   * Set when the Actions asked for an enrollment (`enrollWith`): when they ran (a factor of the kind
   * asked for, enrolled since, completes it) and whether the person had a second factor then (they
   * prove one before enrolling another).
   */
  enrollment?: { since: number; hadSecondFactor: boolean };
  /** The second factor the person picked with "try another way". */
  chosenMethod?: MethodName;
  /** A TOTP secret offered for enrollment, sealed; kept so a reload shows the same QR code. */
  enrollmentSecret?: string;
  /**
   * Set by a factor's enrollment when it was the person's first second factor: before the login
   * finishes, recovery codes are issued and shown once.
   */
  showRecoveryCodes?: boolean;
  /**
   * The recovery-code page to show before finishing: a new set (sealed, so a reload shows the same
   * codes) or how many are left after one was used. Cleared when the person continues.
   */
  recoveryCodePage?: { issued: string; replacedOldSet: boolean } | { remaining: number };
  /**
   * The last email code this login asked for (epoch seconds): until when it works, absent when it
   * could not be sent. Present once a send was attempted, so a reload never sends another.
   */
  emailCode?: { requestedAt: number; expiresAt?: number };
  /** Set once a remembered browser let this login skip the second factor an Action asked for. */
  rememberedBrowserUsed?: boolean;
  /** Set once the person answered the offer to remember this browser (either way). */
  rememberBrowserAnswered?: boolean;
}

export async function loadProgress(
  states: InteractionStatesRepository,
  uid: string,
  now: number,
  expiresAt: number,
): Promise<InteractionProgress> {
  const existing = await states.find<InteractionProgress>(uid, now);
  if (existing) return existing;
  const progress: InteractionProgress = {
    csrf: randomBytes(24).toString('base64url'),
    startedAt: now,
    proofs: [],
  };
  await states.save(uid, progress, expiresAt);
  return progress;
}

/** Constant-time comparison of the form's token with the interaction's. */
export function isValidCsrfToken(progress: InteractionProgress, submitted: unknown): boolean {
  if (typeof submitted !== 'string') return false;
  const expected = Buffer.from(progress.csrf);
  const actual = Buffer.from(submitted);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
