// oidc-provider 9 ships no typings; the declared type below is the part of the class this store relies on.
// biome-ignore lint/suspicious/noTsIgnore: @ts-expect-error would break the build once typings are added.
// @ts-ignore
import { errors } from 'oidc-provider';

type InvalidGrantConstructor = new (detail: string) => Error & { error: string; status: number };

const InvalidGrant: InvalidGrantConstructor = errors.InvalidGrant;

/** The error oidc-provider turns into an `invalid_grant` token endpoint response. */
export function createInvalidGrantError(detail: string): Error & { error: string; status: number } {
  return new InvalidGrant(detail);
}

/** The detail of the `invalid_grant` a store answers when a code or refresh token is used again. */
export const GRANT_SOURCE_ALREADY_CONSUMED = 'grant source already consumed';
