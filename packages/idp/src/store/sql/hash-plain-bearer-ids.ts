import { sql } from 'kysely';
import { HASHED_BEARER_ID_PREFIX } from '../bearer-ids/bearer-id-hash.ts';
import { PLAIN_ID_MODELS } from '../bearer-ids/bearer-payload.ts';
import type { PlainBearerIdRewrite } from '../bearer-ids/plain-bearer-id-rewrite.ts';
import type { OidcAdapterPayload } from '../oidc-adapter.ts';
import type { SqlDatabase } from './sql-database.ts';
import { writeJson } from './sql-dialect.ts';

/** Rows read per round; each is rewritten by its own statement. */
const BATCH = 200;

const NOT_HASHED = `${HASHED_BEARER_ID_PREFIX}%`;

/**
 * Rewrites the rows whose bearer id is still in clear — oidc-provider instances and interaction
 * states, written before ids were hashed or by an older node during a rolling upgrade — and returns
 * how many it rewrote. Each row moves with one UPDATE conditioned on its plain id, so the step can
 * stop anywhere and start again, and two nodes running it at once rewrite each row once: the
 * second UPDATE finds no row left to change. Each walk goes forward by primary key, so a row it
 * could not change is not read twice.
 */
export async function hashPlainBearerIds(db: SqlDatabase, rewrite: PlainBearerIdRewrite): Promise<number> {
  const rewritten =
    (await hashPlainOidcIds(db, rewrite)) + (await hashPlainInteractionStateKeys(db, rewrite));
  if (rewritten > 0 && db.dialect.engine === 'sqlite') await eraseFreedSqlitePages(db);
  return rewritten;
}

/**
 * SQLite keeps a deleted row's bytes in free space of the file, and the page as it was in the
 * write-ahead log, until something overwrites them: the plain ids would still be in the files a
 * thief copies. VACUUM writes the database anew, and the checkpoint then empties the log. It runs
 * once, on the start that rewrote the rows of an earlier release (one node: nothing else writes plain
 * rows later). PostgreSQL keeps old row versions until VACUUM reuses their space, which an operator
 * schedules (docs/deployment.md, "Upgrading"): a VACUUM FULL here would lock the tables for every node.
 */
async function eraseFreedSqlitePages({ kysely }: SqlDatabase): Promise<void> {
  await sql`VACUUM`.execute(kysely);
  await sql`PRAGMA wal_checkpoint(TRUNCATE)`.execute(kysely);
}

async function hashPlainOidcIds(db: SqlDatabase, rewrite: PlainBearerIdRewrite): Promise<number> {
  const { kysely, dialect } = db;
  let rewritten = 0;
  let after: { model: string; id: string } | undefined;
  for (;;) {
    let query = kysely
      .selectFrom('oidc_models')
      .select(['model', 'id', 'payload'])
      .where('model', 'not in', PLAIN_ID_MODELS)
      .where('id', 'not like', NOT_HASHED)
      .orderBy('model')
      .orderBy('id')
      .limit(BATCH);
    if (after !== undefined) {
      const { model, id } = after;
      query = query.where((where) =>
        where.or([where('model', '>', model), where.and([where('model', '=', model), where('id', '>', id)])]),
      );
    }
    const rows = await query.execute();
    for (const row of rows) {
      const payload = rewrite.payload(row.model, row.id, dialect.readJson(row.payload) as OidcAdapterPayload);
      const { numUpdatedRows } = await kysely
        .updateTable('oidc_models')
        .set({ id: rewrite.id(row.id), payload: writeJson(payload) })
        .where('model', '=', row.model)
        .where('id', '=', row.id)
        .executeTakeFirst();
      rewritten += Number(numUpdatedRows);
    }
    const last = rows.at(-1);
    if (last === undefined || rows.length < BATCH) return rewritten;
    after = { model: last.model, id: last.id };
  }
}

async function hashPlainInteractionStateKeys(
  db: SqlDatabase,
  rewrite: PlainBearerIdRewrite,
): Promise<number> {
  const { kysely } = db;
  let rewritten = 0;
  let after: string | undefined;
  for (;;) {
    let query = kysely
      .selectFrom('interaction_states')
      .select('uid')
      .where('uid', 'not like', NOT_HASHED)
      .orderBy('uid')
      .limit(BATCH);
    if (after !== undefined) query = query.where('uid', '>', after);
    const rows = await query.execute();
    for (const { uid } of rows) {
      const { numUpdatedRows } = await kysely
        .updateTable('interaction_states')
        .set({ uid: rewrite.id(uid) })
        .where('uid', '=', uid)
        .executeTakeFirst();
      rewritten += Number(numUpdatedRows);
    }
    const last = rows.at(-1);
    if (last === undefined || rows.length < BATCH) return rewritten;
    after = last.uid;
  }
}
