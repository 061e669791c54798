import { HASHED_BEARER_ID_PREFIX } from '../bearer-ids/bearer-id-hash.ts';
import { PLAIN_ID_MODELS } from '../bearer-ids/bearer-payload.ts';
import type { PlainBearerIdRewrite } from '../bearer-ids/plain-bearer-id-rewrite.ts';
import type { OidcAdapterPayload } from '../oidc-adapter.ts';
import type { SqlDatabase } from './sql-database.ts';
import { writeJson } from './sql-dialect.ts';

/** Rows read per round; each is rewritten by its own statement. */
const BATCH = 200;

/**
 * Rewrites the `oidc_models` rows whose bearer id is still in clear (written before ids were hashed,
 * or by an older node during a rolling upgrade) and returns how many it rewrote. Each row moves with
 * one UPDATE conditioned on its plain id, so the step can stop anywhere and start again, and two
 * nodes running it at once rewrite each row once: the second UPDATE finds no row left to change.
 * The walk goes forward by primary key, so rows it cannot change are never read twice.
 */
export async function hashPlainOidcIds(db: SqlDatabase, rewrite: PlainBearerIdRewrite): Promise<number> {
  const { kysely, dialect } = db;
  let rewritten = 0;
  let after: { model: string; id: string } | undefined;
  for (;;) {
    let query = kysely
      .selectFrom('oidc_models')
      .select(['model', 'id', 'payload'])
      .where('model', 'not in', PLAIN_ID_MODELS)
      .where('id', 'not like', `${HASHED_BEARER_ID_PREFIX}%`)
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
      const stored = rewrite(row.model, row.id, dialect.readJson(row.payload) as OidcAdapterPayload);
      const { numUpdatedRows } = await kysely
        .updateTable('oidc_models')
        .set({ id: stored.id, payload: writeJson(stored.payload) })
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
