import type { FastifyReply, FastifyRequest } from 'fastify';

const COOKIE = 'stepup_known';
const MAX_ACCOUNTS = 10;
const ONE_YEAR = 365 * 24 * 3600;

/**
 * Remembers, in a signed cookie, the accounts that signed in successfully on this browser. Password
 * throttling exempts such browsers from the per-account limits (OWASP "device cookies"), so an attacker
 * guessing elsewhere cannot lock the owner out. The cookie grants nothing by itself.
 */
export function isKnownBrowser(request: FastifyRequest, accountId: string): boolean {
  return knownAccounts(request).includes(accountId);
}

export function rememberBrowser(request: FastifyRequest, reply: FastifyReply, accountId: string): void {
  const accounts = [accountId, ...knownAccounts(request).filter((id) => id !== accountId)].slice(
    0,
    MAX_ACCOUNTS,
  );
  reply.setCookie(COOKIE, accounts.join(' '), {
    signed: true,
    httpOnly: true,
    sameSite: 'lax',
    secure: request.protocol === 'https',
    path: '/interaction',
    maxAge: ONE_YEAR,
  });
}

function knownAccounts(request: FastifyRequest): string[] {
  const value = request.cookies[COOKIE];
  if (!value) return [];
  const unsigned = request.unsignCookie(value);
  return unsigned.valid && unsigned.value ? unsigned.value.split(' ') : [];
}
