import { createHash } from 'node:crypto';
import type Provider from 'oidc-provider';
import type { AttemptsRepository } from '../store/attempts.ts';

/**
 * Makes oidc-provider's one-time JWT check (a DPoP proof's `jti`, RFC 9449 11.1; a client
 * assertion's `jti`, RFC 7523 3 item 7) atomic and shared by every node. oidc-provider's own
 * `ReplayDetection.unique` reads, then writes: two requests carrying the same proof at once both
 * read nothing and both pass. Here the first use counts one in the attempts store (Redis when it is
 * configured, the SQL database otherwise) in a single atomic step, and only the request that counted
 * the first one passes, on whichever node it arrives.
 */
export function shareReplayDetection(
  provider: Provider,
  attempts: Pick<AttemptsRepository, 'increment'>,
  clock: () => number,
): void {
  provider.ReplayDetection.unique = async (iss: string, jti: string, exp: number) => {
    const now = clock();
    const key = `jwt-replay:${createHash('sha256').update(`${iss}\0${jti}`).digest('base64url')}`;
    // Kept until the JWT itself has expired; past that, oidc-provider refuses it for its `exp`.
    const { count } = await attempts.increment(key, Math.max(1, Math.ceil(exp - now)), now);
    return count === 1;
  };
}
