import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import pg from 'pg';

const run = promisify(execFile);

// The services as this machine runs them: the Debian PostgreSQL cluster "main" and a redis-server on
// 127.0.0.1:6379 without persistence. Stopping them needs the rights of their owner (root here).
const POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = 'redis://127.0.0.1:6379';
const REDIS_SERVER_ARGS = [
  '--daemonize',
  'yes',
  '--bind',
  '127.0.0.1',
  '-::1',
  '--port',
  '6379',
  '--save',
  '',
  '--appendonly',
  'no',
];

/** Why these services cannot be stopped and started from here, or undefined when they can. */
export async function whyServicesCannotBeControlled(): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return 'stopping PostgreSQL and Redis needs root';
  for (const command of ['pg_ctlcluster', 'redis-server', 'redis-cli']) {
    try {
      await run('sh', ['-c', `command -v ${command}`]);
    } catch {
      return `${command} is not installed`;
    }
  }
  if (postgresVersion() === undefined) return 'no PostgreSQL cluster under /etc/postgresql';
  return undefined;
}

function postgresVersion(): string | undefined {
  try {
    return readdirSync('/etc/postgresql').sort().at(-1);
  } catch {
    return undefined;
  }
}

async function pgCtlCluster(action: 'start' | 'stop'): Promise<void> {
  const version = postgresVersion();
  if (version === undefined) throw new Error('no PostgreSQL cluster under /etc/postgresql');
  await run('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', action]);
}

export async function stopPostgres(): Promise<void> {
  await pgCtlCluster('stop');
}

/** Starts PostgreSQL and resolves once it accepts connections. */
export async function startPostgres(): Promise<void> {
  if (!(await postgresAnswers())) await pgCtlCluster('start');
  await until(postgresAnswers, 'PostgreSQL to accept connections');
}

/** Shuts Redis down without saving: every key is gone, as after a crash of a cache-only Redis. */
export async function stopRedis(): Promise<void> {
  await run('redis-cli', ['-u', REDIS_URL, 'shutdown', 'nosave']).catch(() => {
    // redis-cli reports the closed connection of a successful shutdown as an error on some versions.
  });
  await until(async () => !(await redisAnswers()), 'Redis to stop');
}

/** Starts Redis and resolves once it answers. */
export async function startRedis(): Promise<void> {
  if (!(await redisAnswers())) await run('redis-server', REDIS_SERVER_ARGS);
  await until(redisAnswers, 'Redis to answer');
}

/** Brings both services back, whatever a failed test left behind. */
export async function ensureServicesRunning(): Promise<void> {
  await Promise.all([startPostgres(), startRedis()]);
}

async function postgresAnswers(): Promise<boolean> {
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 1000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

async function redisAnswers(): Promise<boolean> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, retryStrategy: () => null, connectTimeout: 1000 });
  redis.on('error', () => {});
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

/** Polls until `condition` holds; gives up after about 30 seconds. */
export async function until(condition: () => Promise<boolean>, what: string): Promise<void> {
  for (let attempt = 0; attempt < 150; attempt++) {
    if (await condition()) return;
    await sleep(200);
  }
  throw new Error(`gave up waiting for ${what}`);
}
