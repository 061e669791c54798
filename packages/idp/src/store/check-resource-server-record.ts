import { RESOURCE_SERVER_SIGNING_ALGORITHMS, type ResourceServerRecord } from './resource-servers.ts';

/**
 * Refuses a resource server registration a store must not save, with a `TypeError` naming the
 * field: an empty identifier, scopes that are not strings, a lifetime that is not a positive whole
 * number of seconds, or a signing algorithm the provider's keys do not offer.
 */
export function checkResourceServerRecord(record: ResourceServerRecord): void {
  if (typeof record.identifier !== 'string' || record.identifier === '') {
    throw new TypeError('a resource server needs a non-empty string identifier');
  }
  if (!Array.isArray(record.scopes) || !record.scopes.every((scope) => typeof scope === 'string')) {
    throw new TypeError('a resource server needs scopes as an array of strings');
  }
  if (!Number.isSafeInteger(record.accessTokenTtl) || record.accessTokenTtl <= 0) {
    throw new TypeError('a resource server needs accessTokenTtl as a positive integer number of seconds');
  }
  if (!(RESOURCE_SERVER_SIGNING_ALGORITHMS as readonly string[]).includes(record.signingAlg)) {
    throw new TypeError(`a resource server signing alg must be one of ${RESOURCE_SERVER_SIGNING_ALGORITHMS}`);
  }
}
