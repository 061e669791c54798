import pg from 'pg';

/**
 * Rows per table of the provider's PostgreSQL database (`oidc_models` per model, as
 * `oidc_models:<Model>`), so two censuses show which tables grow with the traffic. Growth is expected
 * where rows live until an expiry (sessions, grants, used refresh tokens kept to detect replays) or a
 * retention (audit events); a table that grows with neither would fill the disk.
 */
export async function censusOfTables(databaseUrl: string): Promise<Map<string, number>> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const counts = new Map<string, number>();
    const { rows: tables } = await client.query<{ tablename: string }>(
      `SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename <> 'oidc_models'
         AND tablename NOT LIKE 'kysely_migration%' ORDER BY tablename`,
    );
    for (const { tablename } of tables) {
      const { rows } = await client.query<{ count: string }>(
        `SELECT count(*) FROM ${client.escapeIdentifier(tablename)}`,
      );
      counts.set(tablename, Number(rows[0]?.count ?? 0));
    }
    const { rows: models } = await client.query<{ model: string; count: string }>(
      'SELECT model, count(*) FROM oidc_models GROUP BY model ORDER BY model',
    );
    for (const { model, count } of models) counts.set(`oidc_models:${model}`, Number(count));
    return counts;
  } finally {
    await client.end();
  }
}
