import { canonicalJson } from '@stepup/core';
import { describeAuthorizationDetail } from '../authorization-details/authorization-detail-type.ts';
import { authorizationDetailsDigest } from '../authorization-details/authorization-details-digest.ts';
import type { AuthorizationDetailTypesRepository } from '../store/authorization-detail-types.ts';

/**
 * A transaction-bound login (RFC 9396 `authorization_details`, checked by the provider before the
 * interaction began): what the person approves, as one sentence, and the digest the approval is bound to.
 */
export interface TransactionRequest {
  details: Record<string, unknown>[];
  /** base64url SHA-256 of the details' canonical JSON (RFC 8785). */
  digest: string;
  /** "Change salary payout account: to DE89…, holder Alice Example"; several details joined by "; ". */
  summary: string;
}

/** Reads the interaction's `authorization_details`; undefined for a login that carries none. */
export async function readTransactionRequest(
  requested: unknown,
  types: Pick<AuthorizationDetailTypesRepository, 'find'>,
): Promise<TransactionRequest | undefined> {
  if (typeof requested !== 'string') return undefined;
  const details = JSON.parse(requested) as Record<string, unknown>[];
  if (!Array.isArray(details) || details.length === 0) return undefined;
  const sentences: string[] = [];
  for (const detail of details) {
    const record = await types.find(String(detail.type));
    // A type removed since the request was checked: every member is shown, none hidden.
    sentences.push(
      record
        ? describeAuthorizationDetail(record, detail)
        : `${String(detail.type)}: ${canonicalJson(detail)}`,
    );
  }
  return { details, digest: authorizationDetailsDigest(details), summary: sentences.join('; ') };
}
