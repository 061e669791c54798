import { StoreConflictError, StoreUnavailableError } from '../errors.ts';

/** Scripts refuse a write that breaks a uniqueness rule with an error reply starting with this word. */
export const CONFLICT_REPLY = 'STEPUP_CONFLICT';

// Redis answers these while it cannot serve (starting, failing over, out of memory): retry later.
const UNAVAILABLE_REPLIES = ['LOADING', 'BUSY', 'MASTERDOWN', 'READONLY', 'CLUSTERDOWN', 'TRYAGAIN', 'OOM'];

/**
 * Runs Redis work behind the repositories' contract: a lost or refused connection, a command
 * timeout or a server that cannot serve becomes a `StoreUnavailableError` (503), a script's conflict
 * reply a `StoreConflictError`. Other error replies are programming errors and pass through.
 */
export async function runRedis<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw translateRedisError(error);
  }
}

function translateRedisError(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  if (error.name === 'ReplyError') {
    if (error.message.startsWith(CONFLICT_REPLY)) {
      return new StoreConflictError(error.message.slice(CONFLICT_REPLY.length).trim(), { cause: error });
    }
    if (!UNAVAILABLE_REPLIES.some((reply) => error.message.startsWith(reply))) return error;
  }
  if (error instanceof TypeError || error instanceof SyntaxError) return error;
  // Everything else from ioredis is about the connection: closed, not writable, timed out, retries spent.
  return new StoreUnavailableError(`Redis is unavailable: ${error.message}`, { cause: error });
}
