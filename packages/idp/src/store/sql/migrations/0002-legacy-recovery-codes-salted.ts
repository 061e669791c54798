import { type Kysely, type Migration, sql } from 'kysely';
import {
  isLegacyRecoveryCodeHash,
  rehashLegacyRecoveryCode,
} from '../../../factors/recovery-codes/legacy-recovery-code.ts';

/** argon2 runs on libuv's thread pool (4 threads by default): this many hashes at a time keep it busy. */
const CONCURRENT_HASHES = 4;

/**
 * Recovery codes issued before this release are 50 bits under a plain SHA-256; each unused one's
 * hash goes under a salted argon2id (factors/recovery-codes/legacy-recovery-code.ts), so the code
 * still works once and the store holds nothing a 2^46 search can undo. Used codes are left as they
 * are: they work no more. Costs one argon2id hash (tens of milliseconds) per unused code, once.
 */
export function legacyRecoveryCodesSaltedMigration(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      const { rows } = await sql<{ user_id: string; code_hash: string }>`
        SELECT user_id, code_hash FROM recovery_codes WHERE used_at IS NULL`.execute(db);
      const legacy = rows.filter((row) => !isLegacyRecoveryCodeHash(row.code_hash));
      for (let start = 0; start < legacy.length; start += CONCURRENT_HASHES) {
        const batch = legacy.slice(start, start + CONCURRENT_HASHES);
        const rehashed = await Promise.all(batch.map((row) => rehashLegacyRecoveryCode(row.code_hash)));
        for (const [index, row] of batch.entries()) {
          await sql`UPDATE recovery_codes SET code_hash = ${rehashed[index]}
            WHERE user_id = ${row.user_id} AND code_hash = ${row.code_hash}`.execute(db);
        }
      }
    },
  };
}
