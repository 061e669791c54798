import { readFileSync } from 'node:fs';
import { createAcrLadder, DEFAULT_ACR_LADDER } from '@stepup/core';
import type { z } from 'zod';
import { configSchema, type StepupConfig } from './config-schema.ts';

/** Where each environment variable lands in the configuration. */
const ENVIRONMENT_SETTINGS = {
  STEPUP_ISSUER: { path: 'issuer', parse: (value: string) => value },
  STEPUP_DATA_DIR: { path: 'dataDir', parse: (value: string) => value },
  STEPUP_SECRET_KEY: { path: 'secretKey', parse: (value: string) => value },
  STEPUP_SECRET_KEY_FILE: { path: 'secretKeyFile', parse: (value: string) => value },
  STEPUP_DATABASE_URL: { path: 'databaseUrl', parse: (value: string) => value },
  STEPUP_DATABASE_POOL_MAX: { path: 'database.poolMax', parse: parseInteger },
  STEPUP_DATABASE_CONNECTION_TIMEOUT_MS: { path: 'database.connectionTimeoutMs', parse: parseInteger },
  STEPUP_DATABASE_STATEMENT_TIMEOUT_MS: { path: 'database.statementTimeoutMs', parse: parseInteger },
  STEPUP_REDIS_URL: { path: 'redisUrl', parse: (value: string) => value },
  STEPUP_REDIS_KEY_PREFIX: { path: 'redis.keyPrefix', parse: (value: string) => value },
  STEPUP_REDIS_COMMAND_TIMEOUT_MS: { path: 'redis.commandTimeoutMs', parse: parseInteger },
  IDP_PORT: { path: 'port', parse: parseInteger },
  IDP_HOST: { path: 'host', parse: (value: string) => value },
  STEPUP_TRUST_PROXY: { path: 'trustProxy', parse: parseTrustProxy },
  STEPUP_LOG_LEVEL: { path: 'logLevel', parse: (value: string) => value },
  STEPUP_ADMIN_TOKEN: { path: 'actions.adminToken', parse: (value: string) => value },
  STEPUP_ACTIONS_DIR: { path: 'actions.directory', parse: (value: string) => value },
} as const;

type EnvironmentVariable = keyof typeof ENVIRONMENT_SETTINGS;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Sets a dotted path (`actions.adminToken`), keeping what the config file set next to it. */
function setSetting(input: Record<string, unknown>, path: string, value: unknown): void {
  const [head = '', ...rest] = path.split('.');
  if (rest.length === 0) {
    input[head] = value;
    return;
  }
  const current = input[head];
  const nested = typeof current === 'object' && current !== null ? (current as Record<string, unknown>) : {};
  input[head] = nested;
  setSetting(nested, rest.join('.'), value);
}

/** Digits become a number; anything else stays a string for the schema to refuse by name. */
function parseInteger(value: string): number | string {
  return /^\d+$/.test(value) ? Number(value) : value;
}

/** `true`, `false`, a number of proxy hops, or a comma-separated list of proxy addresses and ranges. */
function parseTrustProxy(value: string): boolean | number | string | string[] {
  if (value === 'true') return true;
  if (value === 'false' || value === '0') return false;
  if (/^\d+$/.test(value)) return Number(value);
  return value.split(',').map((address) => address.trim());
}

/**
 * Reads the configuration once at start-up: the JSON file named by `STEPUP_CONFIG` (optional), then
 * environment variables on top. A bad value throws a `ConfigError` naming the exact setting.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): StepupConfig {
  const input: Record<string, unknown> = env.STEPUP_CONFIG ? readConfigFile(env.STEPUP_CONFIG) : {};
  const origin = new Map<string, string>();
  for (const [variable, setting] of Object.entries(ENVIRONMENT_SETTINGS)) {
    const value = env[variable];
    if (value === undefined || value === '') continue;
    setSetting(input, setting.path, setting.parse(value));
    origin.set(setting.path, variable as EnvironmentVariable);
  }

  const parsed = configSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path.join('.') ?? '';
    // An element of a list set by a variable (`trustProxy.0`) is named by the variable.
    const variable = origin.get(path) ?? origin.get(path.replace(/\.\d+$/, ''));
    const where = variable ?? (env.STEPUP_CONFIG ? `"${path}" in ${env.STEPUP_CONFIG}` : path);
    throw new ConfigError(`Invalid setting ${where}: ${issue ? describeIssue(issue) : 'invalid value'}`);
  }

  const config = parsed.data;
  if (config.acrLadder) {
    try {
      createAcrLadder(config.acrLadder);
    } catch (error) {
      throw new ConfigError(`Invalid setting "acrLadder": ${(error as Error).message}`);
    }
  }
  if (config.secretKey !== undefined && config.secretKeyFile !== undefined) {
    throw new ConfigError(
      'Invalid setting STEPUP_SECRET_KEY: give the keys either in STEPUP_SECRET_KEY or in STEPUP_SECRET_KEY_FILE, not both',
    );
  }
  const issuer = (config.issuer ?? `http://localhost:${config.port}`).replace(/\/$/, '');
  if (new URL(issuer).protocol !== 'https:' && !isLoopbackIssuer(issuer)) {
    throw new ConfigError(
      `Invalid setting STEPUP_ISSUER: ${issuer} must use https (plain http is allowed only on localhost)`,
    );
  }
  return { ...config, issuer };
}

/** The ladder the configuration asks for, or the default one. */
export function configuredLadder(config: StepupConfig) {
  return config.acrLadder ? createAcrLadder(config.acrLadder) : DEFAULT_ACR_LADDER;
}

function isLoopbackIssuer(issuer: string): boolean {
  const { hostname } = new URL(issuer);
  return hostname === 'localhost' || hostname === '127.0.0.1' || hostname === '[::1]';
}

function readConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`Invalid setting STEPUP_CONFIG: cannot read ${file} (${(error as Error).message})`);
  }
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new ConfigError(`Invalid setting STEPUP_CONFIG: ${file} must hold a JSON object`);
    }
    return value as Record<string, unknown>;
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`Invalid setting STEPUP_CONFIG: ${file} is not valid JSON`);
  }
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return `unknown setting(s) ${issue.keys.join(', ')}`;
  return issue.message;
}
