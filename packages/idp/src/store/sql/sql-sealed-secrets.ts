import { sql } from 'kysely';
import { isStoredClientSecret, STORED_SECRET_METADATA } from '../../client-secrets/stored-client-secret.ts';
import { SEALED_PROVIDER_KEY_NAMES } from '../../crypto/sealed-provider-key.ts';
import type { SealedSecretKind, SealedSecretRecord, SealedSecretsRepository } from '../sealed-secrets.ts';
import type { SqlDatabase } from './sql-database.ts';
import { writeJson } from './sql-dialect.ts';

/** An Action version's record id: the Action's id and the version, which orders after it. */
function actionVersionId(actionId: string, version: number): string {
  return `${actionId}/${version}`;
}

function parseActionVersionId(id: string): { actionId: string; version: number } {
  const slash = id.lastIndexOf('/');
  return { actionId: id.slice(0, slash), version: Number(id.slice(slash + 1)) };
}

/** The sealed secret inside a client's registration; undefined for a hashed secret or none. */
function sealedClientSecret(metadata: Record<string, unknown>): string | undefined {
  const stored = metadata[STORED_SECRET_METADATA];
  return isStoredClientSecret(stored) && 'sealed' in stored ? stored.sealed : undefined;
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
    if (kind === 'client-secret') return this.#listClientSecrets(prefix, after, limit);
    if (kind === 'provider-keys') {
      let query = this.#db.kysely
        .selectFrom('keys')
        .select(['name', 'value'])
        .where('name', 'in', [...SEALED_PROVIDER_KEY_NAMES])
        .where(({ not }) => not(startsWith('value', prefix)))
        .orderBy('name')
        .limit(limit);
      if (after !== undefined) query = query.where('name', '>', after);
      const rows = await query.execute();
      return rows.map((row) => ({ kind, id: row.name, owner: row.name, sealed: row.value }));
    }
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
    if (record.kind === 'client-secret') return this.#replaceClientSecret(record, next);
    if (record.kind === 'provider-keys') {
      const result = await this.#db.kysely
        .updateTable('keys')
        .set({ value: next })
        .where('name', '=', record.id)
        .where('value', '=', record.sealed)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    }
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

  /** Clients are few and their sealed secret sits inside the registration's JSON: filtered here, not in SQL. */
  async #listClientSecrets(
    prefix: string,
    after: string | undefined,
    limit: number,
  ): Promise<SealedSecretRecord[]> {
    let query = this.#db.kysely.selectFrom('clients').select(['client_id', 'metadata']).orderBy('client_id');
    if (after !== undefined) query = query.where('client_id', '>', after);
    const records: SealedSecretRecord[] = [];
    for (const row of await query.execute()) {
      const sealed = sealedClientSecret(this.#db.dialect.readJson(row.metadata) as Record<string, unknown>);
      if (sealed === undefined || sealed.startsWith(prefix)) continue;
      records.push({ kind: 'client-secret', id: row.client_id, owner: row.client_id, sealed });
      if (records.length === limit) break;
    }
    return records;
  }

  /** Compare-and-set inside the JSON: the row is locked, so a rotation through the API meanwhile wins. */
  #replaceClientSecret(record: SealedSecretRecord, next: string): Promise<boolean> {
    return this.#db.kysely.transaction().execute(async (trx) => {
      const row = await this.#db.dialect
        .lockForUpdate(trx.selectFrom('clients').select('metadata').where('client_id', '=', record.id))
        .executeTakeFirst();
      const metadata = row && (this.#db.dialect.readJson(row.metadata) as Record<string, unknown>);
      if (!metadata || sealedClientSecret(metadata) !== record.sealed) return false;
      await trx
        .updateTable('clients')
        .set({ metadata: writeJson({ ...metadata, [STORED_SECRET_METADATA]: { sealed: next } }) })
        .where('client_id', '=', record.id)
        .execute();
      return true;
    });
  }
}
