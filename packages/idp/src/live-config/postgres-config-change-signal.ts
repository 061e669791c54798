import pg from 'pg';
import type { Logger } from 'pino';
import type { ConfigChangeSignal } from './config-change-signal.ts';

export interface PostgresConfigChangeSignalOptions {
  /** The store's database: LISTEN/NOTIFY channels belong to one database. */
  connectionString: string;
  connectionTimeoutMs: number;
  /** How long to wait before opening the listening connection again after losing it. */
  reconnectDelayMs?: number;
  logger?: Pick<Logger, 'warn'>;
}

const CHANNEL = 'stepup_config_changed';

/**
 * The several-node `ConfigChangeSignal` without Redis: PostgreSQL's LISTEN/NOTIFY on the store's own
 * database, over one connection kept for it (a pooled connection would stop listening when handed
 * back). When that connection is lost it is opened again after a short delay; a notice sent meanwhile
 * is lost, and the periodic check finds the change.
 */
export async function createPostgresConfigChangeSignal(
  options: PostgresConfigChangeSignalOptions,
): Promise<ConfigChangeSignal> {
  const listeners = new Set<() => void>();
  let closed = false;
  let reconnect: NodeJS.Timeout | undefined;

  const connect = async (): Promise<pg.Client> => {
    const client = new pg.Client({
      connectionString: options.connectionString,
      connectionTimeoutMillis: options.connectionTimeoutMs,
      keepAlive: true,
    });
    client.on('notification', (message) => {
      if (message.channel !== CHANNEL) return;
      for (const listener of [...listeners]) listener();
    });
    client.on('error', (error) => {
      options.logger?.warn(
        { err: error },
        'lost the connection that hears other nodes’ changes; opening it again',
      );
      void client.end().catch(() => {});
      scheduleReconnect();
    });
    await client.connect();
    await client.query(`LISTEN ${CHANNEL}`);
    return client;
  };

  let current = await connect();

  function scheduleReconnect(): void {
    if (closed || reconnect !== undefined) return;
    reconnect = setTimeout(() => {
      reconnect = undefined;
      connect().then(
        (client) => {
          if (closed) void client.end();
          else current = client;
        },
        () => scheduleReconnect(),
      );
    }, options.reconnectDelayMs ?? 1000);
    reconnect.unref();
  }

  return {
    async announce() {
      await current.query('SELECT pg_notify($1, $2)', [CHANNEL, '']);
    },
    async listen(listener) {
      listeners.add(listener);
    },
    async close() {
      closed = true;
      clearTimeout(reconnect);
      listeners.clear();
      await current.end();
    },
  };
}
