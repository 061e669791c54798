import type { ProvenMethod } from '@stepup/core';
import type { AuthSessionsRepository } from '../store/auth-sessions.ts';

/** Keeps the latest proof of each method: what a session can still claim about it. */
export function mergeProofs(
  existing: readonly ProvenMethod[],
  added: readonly ProvenMethod[],
): ProvenMethod[] {
  const latest = new Map<string, ProvenMethod>();
  for (const proof of [...existing, ...added]) {
    const known = latest.get(proof.method);
    if (!known || known.at < proof.at) latest.set(proof.method, proof);
  }
  return [...latest.values()].sort((a, b) => a.at - b.at);
}

/** The proofs of a browser session for the account it is signed in to; none for any other account. */
export async function loadSessionProofs(
  authSessions: AuthSessionsRepository,
  sessionUid: string | undefined,
  accountId: string | undefined,
  now: number,
): Promise<ProvenMethod[]> {
  if (!sessionUid || !accountId) return [];
  const record = await authSessions.find(sessionUid, now);
  return record?.accountId === accountId ? record.methods : [];
}

/**
 * Adds what a finished interaction proved to the browser session. A different account replaces the
 * record: proofs never carry over from one person to another.
 */
export async function commitProofs(
  authSessions: AuthSessionsRepository,
  options: {
    sessionUid: string;
    accountId: string;
    proofs: readonly ProvenMethod[];
    expiresAt: number;
    now: number;
  },
): Promise<ProvenMethod[]> {
  const record = await authSessions.find(options.sessionUid, options.now);
  const existing = record?.accountId === options.accountId ? record.methods : [];
  const methods = mergeProofs(existing, options.proofs);
  await authSessions.save(
    { sessionUid: options.sessionUid, accountId: options.accountId, methods },
    options.expiresAt,
  );
  return methods;
}
