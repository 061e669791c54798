import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { NewAuditEvent } from '../audit-events.ts';
import type { AddFactorInput, Factor, FactorsRepository, FactorType } from '../factors.ts';
import { appendAuditEvent } from './append-audit-event.ts';
import type { SqlDatabase } from './sql-database.ts';
import type { FactorsTable } from './store-tables.ts';

const COLUMNS = ['id', 'user_id', 'type', 'name', 'secret', 'created_at', 'last_used_at'] as const;

type FactorRow = Pick<Selectable<FactorsTable>, (typeof COLUMNS)[number]>;

export class SqlFactorsRepository implements FactorsRepository {
  readonly #db: SqlDatabase;

  constructor(db: SqlDatabase) {
    this.#db = db;
  }

  async add(input: AddFactorInput): Promise<Factor> {
    const factor: Factor = {
      id: randomUUID(),
      userId: input.userId,
      type: input.type,
      name: input.name,
      secret: input.secret,
      createdAt: input.now,
      lastUsedAt: null,
    };
    await this.#db.kysely
      .insertInto('factors')
      .values({
        id: factor.id,
        user_id: factor.userId,
        type: factor.type,
        name: factor.name,
        secret: factor.secret,
        created_at: factor.createdAt,
      })
      .execute();
    return factor;
  }

  async listForUser(userId: string): Promise<Factor[]> {
    const rows = await this.#db.kysely
      .selectFrom('factors')
      .select(COLUMNS)
      .where('user_id', '=', userId)
      .orderBy('created_at')
      .orderBy(this.#db.dialect.insertionOrder)
      .execute();
    return rows.map(toFactor);
  }

  async findById(id: string): Promise<Factor | undefined> {
    const row = await this.#db.kysely
      .selectFrom('factors')
      .select(COLUMNS)
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toFactor(row);
  }

  async rename(id: string, name: string): Promise<boolean> {
    const { numUpdatedRows } = await this.#db.kysely
      .updateTable('factors')
      .set({ name })
      .where('id', '=', id)
      .executeTakeFirst();
    return numUpdatedRows > 0n;
  }

  async remove(id: string, auditEvent?: NewAuditEvent): Promise<boolean> {
    return this.#db.kysely.transaction().execute(async (trx) => {
      const { numDeletedRows } = await trx.deleteFrom('factors').where('id', '=', id).executeTakeFirst();
      if (numDeletedRows === 0n) return false;
      if (auditEvent) await appendAuditEvent(trx, auditEvent);
      return true;
    });
  }

  async consumeTotpStep(factorId: string, step: number, now: number): Promise<boolean> {
    if (!Number.isSafeInteger(step)) throw new TypeError(`TOTP step must be an integer, got ${step}`);
    // One conditional UPDATE: a concurrent caller waits for the row lock, then re-checks last_step
    // against the committed value, so a TOTP value is accepted once across nodes (RFC 6238 section 5.2).
    const { numUpdatedRows } = await this.#db.kysely
      .updateTable('factors')
      .set({ last_step: step, last_used_at: now })
      .where('id', '=', factorId)
      .where('type', '=', 'totp')
      .where((eb) => eb.or([eb('last_step', 'is', null), eb('last_step', '<', step)]))
      .executeTakeFirst();
    return numUpdatedRows === 1n;
  }
}

function toFactor(row: FactorRow): Factor {
  return {
    id: row.id,
    userId: row.user_id,
    // Written only through `add`, whose input is typed.
    type: row.type as FactorType,
    name: row.name,
    secret: row.secret,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
  };
}
