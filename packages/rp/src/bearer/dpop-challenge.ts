import { type BearerChallenge, formatBearerChallenge } from '@stepup/core';

/**
 * A `DPoP` challenge (RFC 9449 7.1): the parameters of a `Bearer` one (RFC 6750 3, RFC 9470 3), with
 * the same quoting rules, and `algs`, the proof algorithms the resource accepts.
 */
export function formatDpopChallenge(challenge: BearerChallenge, algorithms: readonly string[]): string {
  const parameters = formatBearerChallenge(challenge).slice('Bearer'.length);
  const algs = `algs="${algorithms.join(' ')}"`;
  return parameters === '' ? `DPoP ${algs}` : `DPoP${parameters}, ${algs}`;
}
