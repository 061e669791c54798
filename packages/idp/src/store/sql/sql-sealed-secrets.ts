import { sql } from 'kysely';
import type { SealedSecretKind, SealedSecretRecord, SealedSecretsRepository } from '../sealed-secrets.ts';
import type { SqlDatabase } from './sql-database.ts';

/** An Action version's record id: the Action's id and the version, which orders after it. */
function actionVersionId(actionId: string, version: number): string {
  return `${actionId}/${version}`;
}

function parseActionVersionId(id: string): { actionId: string; version: number } {
  const slash = id.lastIndexOf('/');
  return { actionId: id.slice(0, slash), version: Number(id.slice(slash + 1)) };
}

/** `substr` is the same on both engines, where `LIKE` would read `_` in a key id as a wildcard. */
function startsWith(column: string, prefix: string) {
  return sql<boolean>`substr(${sql.ref(column)}, 1, ${sql.lit(prefix.length)}) = ${prefix}`;
}

export class SqlSealedSecretsRepository implements SealedSecretsRepository {
  readonly #db: SqlDatabase;

  constructor(db: SqlDatabase) {
    this.#db = db;
  }

  async listNotStartingWith(
    kind: SealedSecretKind,
    prefix: string,
    after: string | undefined,
    limit: number,
  ): Promise<SealedSecretRecord[]> {
    if (kind === 'totp-seed') {
      let query = this.#db.kysely
        .selectFrom('factors')
        .select(['id', 'user_id', 'secret'])
        .where(({ not }) => not(startsWith('secret', prefix)))
        .orderBy('id')
        .limit(limit);
      if (after !== undefined) query = query.where('id', '>', after);
      const rows = await query.execute();
      return rows.map((row) => ({ kind, id: row.id, owner: row.user_id, sealed: row.secret }));
    }
    let query = this.#db.kysely
      .selectFrom('action_versions')
      .innerJoin('actions', 'actions.id', 'action_versions.action_id')
      .select([
        'action_versions.action_id',
        'action_versions.version',
        'actions.name',
        'action_versions.sealed_secrets',
      ])
      .where('action_versions.sealed_secrets', 'is not', null)
      .where(({ not }) => not(startsWith('action_versions.sealed_secrets', prefix)))
      .orderBy('action_versions.action_id')
      .orderBy('action_versions.version')
      .limit(limit);
    if (after !== undefined) {
      const { actionId, version } = parseActionVersionId(after);
      query = query.where(({ or, and, eb }) =>
        or([
          eb('action_versions.action_id', '>', actionId),
          and([eb('action_versions.action_id', '=', actionId), eb('action_versions.version', '>', version)]),
        ]),
      );
    }
    const rows = await query.execute();
    return rows.map((row) => ({
      kind,
      id: actionVersionId(row.action_id, row.version),
      owner: row.name,
      sealed: row.sealed_secrets as string,
    }));
  }

  async replace(record: SealedSecretRecord, next: string): Promise<boolean> {
    if (record.kind === 'totp-seed') {
      const result = await this.#db.kysely
        .updateTable('factors')
        .set({ secret: next })
        .where('id', '=', record.id)
        .where('secret', '=', record.sealed)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    }
    const { actionId, version } = parseActionVersionId(record.id);
    const result = await this.#db.kysely
      .updateTable('action_versions')
      .set({ sealed_secrets: next })
      .where('action_id', '=', actionId)
      .where('version', '=', version)
      .where('sealed_secrets', '=', record.sealed)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }
}
