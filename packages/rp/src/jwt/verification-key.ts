import type { KeyObject } from 'node:crypto';
import { StepupRpError } from '../errors.ts';
import type { JsonObject } from './check-jwt-claims.ts';
import type { AsymmetricJwsAlgorithm } from './jws-algorithms.ts';
import type { RemoteKeySet } from './remote-key-set.ts';

/**
 * The key for a token's header, from the provider's key set: the one resolver both verifiers use,
 * so they pick (or refuse) the same key for the same token. `alg` is already known to be allowed.
 */
export function findVerificationKey(
  keySet: RemoteKeySet,
  header: JsonObject,
): KeyObject | Promise<KeyObject> {
  const alg = header.alg as AsymmetricJwsAlgorithm;
  const kid = Object.hasOwn(header, 'kid') ? header.kid : undefined;
  if (kid !== undefined && typeof kid !== 'string') {
    throw new StepupRpError('token_malformed', 'The token is malformed.', { detail: 'kid is not a string' });
  }
  return keySet.cachedKey(alg, kid) ?? keySet.getKey(alg, kid);
}
