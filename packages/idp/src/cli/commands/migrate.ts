import { loadConfig } from '../../config/load-config.ts';
import { openPostgresStore } from '../../store/postgres/postgres-store.ts';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.ts';
import { type CliCommand, parseCommandArgs } from '../cli-command.ts';

export const migrate: CliCommand = {
  words: ['migrate'],
  summary: 'bring the database schema up to date (the provider does this at start too)',
  usage: 'stepup-idp migrate',
  async run(args, io) {
    parseCommandArgs(args, {}, 0);
    const config = loadConfig(io.env);
    if (config.databaseUrl === undefined) {
      // Opening the SQLite database applies its missing steps.
      await (await openSqliteStore({ dataDir: config.dataDir })).close();
      io.out(`SQLite database in ${config.dataDir}: schema up to date`);
      return;
    }
    const store = await openPostgresStore({ connectionString: config.databaseUrl, ...config.database });
    await store.close();
    const { applied, latest } = store.migration;
    io.out(
      applied.length === 0
        ? `PostgreSQL: schema already up to date (${latest})`
        : `PostgreSQL: schema migrated to ${latest} (applied ${applied.join(', ')})`,
    );
  },
};
