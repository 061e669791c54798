import type { JsonObject } from '../actions/json-value.ts';

/**
 * The custom claims post-login Actions set for one authorization (`api.idToken.setCustomClaim`,
 * `api.accessToken.setCustomClaim`), bound to its grant: the grant is per browser session, client
 * and account, and the authorization code and every refresh token issued from it name it.
 */
export interface CustomClaimsRecord {
  grantId: string;
  sessionUid: string;
  clientId: string;
  accountId: string;
  idToken: JsonObject;
  accessToken: JsonObject;
  /** Epoch seconds: the grant's end. */
  expiresAt: number;
}

export interface CustomClaimsRepository {
  /** Creates or replaces the record of the grant: the latest authorization's claims are the grant's. */
  save(record: CustomClaimsRecord): Promise<void>;
  /** The record of the grant, unless it has expired by `now` (epoch seconds). */
  find(grantId: string, now: number): Promise<CustomClaimsRecord | undefined>;
  /** Resolves true when a record was removed (the grant was revoked). */
  remove(grantId: string): Promise<boolean>;
}
