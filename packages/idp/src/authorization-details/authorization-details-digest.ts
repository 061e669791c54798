import { createHash } from 'node:crypto';
import { canonicalJson } from '@stepup/core';

/**
 * SHA-256 over the canonical JSON (RFC 8785) of an `authorization_details` array, base64url: what a
 * device signs its approval over, what a WebAuthn challenge is derived from, and what audit events
 * record instead of the details themselves.
 */
export function authorizationDetailsDigest(details: readonly unknown[]): string {
  return createHash('sha256').update(canonicalJson(details)).digest('base64url');
}
