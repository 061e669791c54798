import type { AcrLadder, Requirement } from '@stepup/core';

/** What an authorization request asks of the authentication, read from its parameters. */
export interface RequestedAuthentication {
  requirement: Requirement;
  /** The acr values the request named, known or not. */
  requestedAcr: string[];
  /** True when acr was requested through the claims parameter as essential (OIDC Core 5.5.1.1). */
  essentialAcr: boolean;
  /**
   * True for `prompt=login` and `max_age=0` (which oidc-provider rewrites into `prompt=login`, deleting
   * `max_age`, before any check runs): the person authenticates again, and nothing proven before this
   * request counts (OIDC Core 3.1.2.1).
   */
  reauthenticate: boolean;
}

interface AcrClaimRequest {
  essential?: unknown;
  value?: unknown;
  values?: unknown;
}

/**
 * Reads `acr_values`, an `acr` request in the `claims` parameter, `max_age` and `prompt`. Accepts both
 * the parsed shapes oidc-provider keeps in `ctx.oidc` and the plain strings stored with an interaction.
 */
export function readRequestedAuthentication(params: {
  acr_values?: unknown;
  claims?: unknown;
  max_age?: unknown;
  prompt?: unknown;
}): RequestedAuthentication {
  const requestedAcr = new Set<string>();
  if (typeof params.acr_values === 'string') {
    for (const value of params.acr_values.split(' ')) if (value) requestedAcr.add(value);
  }

  const acrClaim = readAcrClaimRequest(params.claims);
  let essentialAcr = false;
  if (acrClaim) {
    const values = [
      ...(typeof acrClaim.value === 'string' ? [acrClaim.value] : []),
      ...(Array.isArray(acrClaim.values) ? acrClaim.values.filter((v) => typeof v === 'string') : []),
    ];
    for (const value of values) requestedAcr.add(value);
    essentialAcr = acrClaim.essential === true && values.length > 0;
  }

  const maxAge = readMaxAge(params.max_age);
  const requirement: Requirement = {
    ...(requestedAcr.size > 0 ? { acr: [...requestedAcr] } : {}),
    ...(maxAge === undefined ? {} : { maxAge }),
  };
  const reauthenticate =
    maxAge === 0 || (typeof params.prompt === 'string' && params.prompt.split(' ').includes('login'));
  return { requirement, requestedAcr: [...requestedAcr], essentialAcr, reauthenticate };
}

/**
 * The acr to put in the token. With an essential acr request the value must be one of the requested
 * ones (OIDC Core 5.5.1.1), so the highest requested level the session meets is returned; otherwise
 * the session's own level.
 */
export function acrToIssue(sessionAcr: string, request: RequestedAuthentication, ladder: AcrLadder): string {
  if (!request.essentialAcr || request.requestedAcr.includes(sessionAcr)) return sessionAcr;
  const met = request.requestedAcr
    .filter((acr) => ladder.meets(sessionAcr, acr))
    .sort((a, b) => (ladder.rankOf(b) ?? 0) - (ladder.rankOf(a) ?? 0));
  return met[0] ?? sessionAcr;
}

/** True when acr was asked for and none of the values is on the ladder. */
export function requestsOnlyUnknownAcr(request: RequestedAuthentication, ladder: AcrLadder): boolean {
  return request.requestedAcr.length > 0 && request.requestedAcr.every((acr) => !ladder.isKnown(acr));
}

function readAcrClaimRequest(claims: unknown): AcrClaimRequest | undefined {
  let parsed = claims;
  if (typeof claims === 'string') {
    try {
      parsed = JSON.parse(claims);
    } catch {
      return undefined;
    }
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const idToken: unknown = Object.hasOwn(parsed, 'id_token')
    ? (parsed as { id_token: unknown }).id_token
    : undefined;
  if (typeof idToken !== 'object' || idToken === null || !Object.hasOwn(idToken, 'acr')) return undefined;
  const acr: unknown = (idToken as { acr: unknown }).acr;
  return typeof acr === 'object' && acr !== null ? (acr as AcrClaimRequest) : undefined;
}

function readMaxAge(value: unknown): number | undefined {
  const number = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  return typeof number === 'number' && Number.isSafeInteger(number) && number >= 0 ? number : undefined;
}
