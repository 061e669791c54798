import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AcrLadder } from '@stepup/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import { evaluateSession } from '../session/evaluate-session.ts';
import { loadSessionProofs } from '../session/session-proofs.ts';
import type { AuthSessionsRepository } from '../store/auth-sessions.ts';

/** The person signed in to the provider in this browser, as the account page sees them. */
export interface AccountSession {
  accountId: string;
  sessionUid: string;
  /** True while a multi-factor sign-in is recent enough to change factors. */
  freshMultiFactor: boolean;
  /** Bound to the provider session: a form from another session, or another site, does not match. */
  csrfToken: string;
}

export interface AccountSessionDependencies {
  provider: Provider;
  authSessions: AuthSessionsRepository;
  ladder: AcrLadder;
  cookieKeys: readonly string[];
  /** The acr a change needs, and how recent it must be. */
  stepUp: { acr: string; maxAge: number };
}

/**
 * Reads the provider's own browser session (oidc-provider's session cookie) and the proofs recorded
 * for it. Undefined when nobody is signed in, or the session holds no proof any more.
 */
export async function readAccountSession(
  deps: AccountSessionDependencies,
  request: FastifyRequest,
  reply: FastifyReply,
  now: number,
): Promise<AccountSession | undefined> {
  const ctx = deps.provider.createContext(request.raw, reply.raw);
  const session = await deps.provider.Session.get(ctx);
  const accountId = session.accountId;
  if (!accountId) return undefined;
  const proofs = await loadSessionProofs(deps.authSessions, session.uid, accountId, now);
  if (proofs.length === 0) return undefined;
  const { satisfied } = evaluateSession({
    sessionProofs: proofs,
    request: {
      requirement: { acr: [deps.stepUp.acr], maxAge: deps.stepUp.maxAge },
      requestedAcr: [deps.stepUp.acr],
      essentialAcr: false,
      reauthenticate: false,
    },
    ladder: deps.ladder,
    now,
  });
  return {
    accountId,
    sessionUid: session.uid,
    freshMultiFactor: satisfied,
    csrfToken: csrfTokenFor(session.uid, deps.cookieKeys[0] ?? ''),
  };
}

/** Constant-time check of a form's token against the session's. */
export function isValidAccountCsrfToken(session: AccountSession, submitted: unknown): boolean {
  if (typeof submitted !== 'string') return false;
  const expected = Buffer.from(session.csrfToken);
  const actual = Buffer.from(submitted);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

function csrfTokenFor(sessionUid: string, key: string): string {
  return createHmac('sha256', key).update('stepup account csrf\0').update(sessionUid).digest('base64url');
}
