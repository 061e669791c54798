import { z } from 'zod';

const acrLevelSchema = z.strictObject({
  acr: z.string().min(1),
  factors: z.number().int().min(1).max(3),
  phishingResistant: z.boolean().optional(),
  maxAge: z.number().int().positive().optional(),
});

const windowSchema = z.strictObject({
  limit: z.number().int().positive(),
  windowSeconds: z.number().int().positive(),
});

/**
 * Every setting of the provider, with its default. Defaults live here and nowhere else.
 * Environment variables and the optional JSON config file are mapped onto this shape by `loadConfig`.
 */
export const configSchema = z.strictObject({
  /** Public URL of the provider, as it appears in `iss`. */
  issuer: z.url().optional(),
  port: z.number().int().min(0).max(65535).default(3000),
  host: z.string().min(1).default('127.0.0.1'),
  dataDir: z.string().min(1).default('./data'),
  /** Trust `X-Forwarded-*` from a TLS-terminating proxy in front of the provider. */
  trustProxy: z.boolean().default(false),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** The acr ladder, lowest level first. Omitted: the default ladder of @stepup/core. */
  acrLadder: z.array(acrLevelSchema).min(1).optional(),
  ttl: z
    .strictObject({
      session: z
        .number()
        .int()
        .positive()
        .default(14 * 24 * 3600),
      interaction: z.number().int().positive().default(3600),
      authorizationCode: z.number().int().positive().max(600).default(60),
      idToken: z.number().int().positive().default(3600),
      accessToken: z.number().int().positive().default(3600),
      refreshToken: z
        .number()
        .int()
        .positive()
        .default(14 * 24 * 3600),
    })
    .prefault({}),
  throttling: z
    .strictObject({
      /** Failed passwords per account before each further try waits (doubling, capped). */
      accountFreeFailures: z.number().int().min(1).max(100).default(5),
      accountMaxDelaySeconds: z
        .number()
        .int()
        .positive()
        .default(15 * 60),
      /** Consecutive failures after which the account accepts passwords only from known browsers. */
      accountLockFailures: z.number().int().min(1).max(100).default(100),
      /** Failed passwords from one client IP, across accounts. */
      ip: windowSchema.prefault({ limit: 50, windowSeconds: 15 * 60 }),
      /** Wrong second-factor codes per account. */
      secondFactor: windowSchema.prefault({ limit: 10, windowSeconds: 15 * 60 }),
      /** Wrong codes within one login before the step-up ends as unmet. */
      codeTriesPerLogin: z.number().int().min(1).max(20).default(5),
    })
    .prefault({}),
});

export type StepupConfig = z.output<typeof configSchema> & { issuer: string };
export type StepupConfigInput = z.input<typeof configSchema>;
