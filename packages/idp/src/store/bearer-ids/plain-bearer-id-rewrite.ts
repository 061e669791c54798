import type { OidcAdapterPayload } from '../oidc-adapter.ts';
import { type BearerIdKeys, hashBearerId } from './bearer-id-hash.ts';
import { stripBearerPayload } from './bearer-payload.ts';

/** Where and how a row that a release before hashing stored under its plain id is stored now. */
export type PlainBearerIdRewrite = (
  model: string,
  plainId: string,
  payload: OidcAdapterPayload,
) => { id: string; payload: OidcAdapterPayload };

/** The rewrite under the current key: the row then reads as if the hashing layer had written it. */
export function plainBearerIdRewrite(keys: BearerIdKeys): PlainBearerIdRewrite {
  const [current] = keys;
  if (current === undefined) throw new TypeError('bearer id hashing needs at least one key');
  return (model, plainId, payload) => ({
    id: hashBearerId(current, plainId),
    payload: stripBearerPayload(model, plainId, payload),
  });
}
