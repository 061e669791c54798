import type { ChainableCommander } from 'ioredis';

/**
 * Runs a MULTI … EXEC block and resolves its replies. ioredis resolves a failed command inside the
 * block as an `[error, undefined]` pair; this rejects with the first such error instead.
 */
export async function execTransaction(transaction: ChainableCommander): Promise<unknown[]> {
  const results = await transaction.exec();
  if (results === null) throw new Error('the Redis transaction was aborted');
  return results.map(([error, reply]) => {
    if (error) throw error;
    return reply;
  });
}
