import type { OidcAdapterPayload } from '../oidc-adapter.ts';
import { type BearerIdKeys, hashBearerId } from './bearer-id-hash.ts';
import { stripBearerPayload } from './bearer-payload.ts';

/** How a record that a release before hashing stored under a plain bearer id is stored now. */
export interface PlainBearerIdRewrite {
  /** The id or key it is stored under. */
  id(plainId: string): string;
  /** An oidc-provider instance's payload, without the copies of its id. */
  payload(model: string, plainId: string, payload: OidcAdapterPayload): OidcAdapterPayload;
}

/** The rewrite under the current key: the record then reads as if the hashing layer had written it. */
export function plainBearerIdRewrite(keys: BearerIdKeys): PlainBearerIdRewrite {
  const [current] = keys;
  if (current === undefined) throw new TypeError('bearer id hashing needs at least one key');
  return {
    id: (plainId) => hashBearerId(current, plainId),
    payload: stripBearerPayload,
  };
}
