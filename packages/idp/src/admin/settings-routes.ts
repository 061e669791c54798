import { z } from 'zod';
import type { StepupConfig } from '../config/config-schema.ts';
import { ApiError } from './api-error.ts';
import type { ManagementDependencies } from './management-dependencies.ts';
import { adminChange } from './record-admin-change.ts';
import {
  applySettingsOverrides,
  mergeSettings,
  readSettingsOverrides,
  type SettingsOverrides,
  writeSettingsOverrides,
} from './settings-overrides.ts';

const windowView = z.object({
  limit: z.number().int().positive(),
  window_seconds: z.number().int().positive(),
});
const windowPatch = z.strictObject({
  limit: z.number().int().positive().optional(),
  window_seconds: z.number().int().positive().optional(),
});
const levelView = z.object({
  acr: z.string(),
  factors: z.number().int(),
  phishing_resistant: z.boolean(),
  max_age: z.number().int().nullable(),
});

const switchView = z.object({ enabled: z.boolean() });
const switchPatch = z.strictObject({ enabled: z.boolean() }).optional();

const settingsView = z.object({
  factors: z.object({ email: switchView, totp: switchView, webauthn: switchView, push: switchView }),
  push: z.object({
    challenge_ttl_seconds: z.number().int(),
    enrollment_ttl_seconds: z.number().int(),
    sends: windowView,
    denials: windowView,
  }),
  throttling: z.object({
    account_free_failures: z.number().int(),
    account_max_delay_seconds: z.number().int(),
    account_lock_failures: z.number().int(),
    ip: windowView,
    second_factor: windowView,
    code_tries_per_login: z.number().int(),
  }),
  remember_browser: z.object({ days: z.number().int() }),
  admin: z.object({ fresh_auth_seconds: z.number().int() }),
  acr_ladder: z.array(levelView),
  restart_required: z.array(z.string()),
});

const settingsPatch = z
  .strictObject({
    factors: z
      .strictObject({ email: switchPatch, totp: switchPatch, webauthn: switchPatch, push: switchPatch })
      .optional(),
    push: z
      .strictObject({
        challenge_ttl_seconds: z.number().int().optional(),
        enrollment_ttl_seconds: z.number().int().optional(),
        sends: windowPatch.optional(),
        denials: windowPatch.optional(),
      })
      .optional(),
    throttling: z
      .strictObject({
        account_free_failures: z.number().int().optional(),
        account_max_delay_seconds: z.number().int().optional(),
        account_lock_failures: z.number().int().optional(),
        ip: windowPatch.optional(),
        second_factor: windowPatch.optional(),
        code_tries_per_login: z.number().int().optional(),
      })
      .optional(),
    remember_browser: z.strictObject({ days: z.number().int() }).optional(),
    admin: z.strictObject({ fresh_auth_seconds: z.number().int() }).optional(),
    acr_ladder: z
      .array(
        z.strictObject({
          acr: z.string().min(1),
          factors: z.number().int(),
          phishing_resistant: z.boolean().optional(),
          max_age: z.number().int().nullable().optional(),
        }),
      )
      .min(1)
      .optional(),
  })
  .refine((body) => Object.keys(body).length > 0, 'give at least one setting to change');

/** snake_case on the wire, camelCase in the configuration. */
function toCamel(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toCamel);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([name, inner]) => [
      name.replace(/_(\w)/g, (_m, c: string) => c.toUpperCase()),
      toCamel(inner),
    ]),
  );
}

function toOverrides(patch: z.output<typeof settingsPatch>): SettingsOverrides {
  const { factors, acr_ladder: ladder, ...rest } = patch;
  const { email, ...switches } = factors ?? {};
  return {
    ...(toCamel(rest) as SettingsOverrides),
    ...(email ? { email: { enabled: email.enabled } } : {}),
    ...(Object.keys(switches).length > 0 ? { factors: switches } : {}),
    ...(ladder
      ? {
          acrLadder: ladder.map((level) => ({
            acr: level.acr,
            factors: level.factors,
            ...(level.phishing_resistant === undefined
              ? {}
              : { phishingResistant: level.phishing_resistant }),
            ...(level.max_age == null ? {} : { maxAge: level.max_age }),
          })),
        }
      : {}),
  };
}

/** Setting paths whose value differs between what runs and what is stored: they apply at restart. */
function pendingPaths(running: unknown, stored: unknown, path = ''): string[] {
  if (typeof stored !== 'object' || stored === null || Array.isArray(stored)) {
    return JSON.stringify(running) === JSON.stringify(stored) ? [] : [path];
  }
  return Object.entries(stored).flatMap(([name, value]) =>
    pendingPaths(
      (running as Record<string, unknown> | undefined)?.[name],
      value,
      path ? `${path}.${name}` : name,
    ),
  );
}

function view(deps: ManagementDependencies, effective: StepupConfig): z.output<typeof settingsView> {
  const window = (w: { limit: number; windowSeconds: number }) => ({
    limit: w.limit,
    window_seconds: w.windowSeconds,
  });
  const running = deps.config;
  const wire = (config: StepupConfig) => ({
    push: config.push,
    throttling: config.throttling,
    email: { enabled: config.email.enabled },
    factors: config.factors,
    rememberBrowser: config.rememberBrowser,
    admin: { freshAuthSeconds: config.admin.freshAuthSeconds },
    acrLadder: config.acrLadder ?? deps.ladder.levels,
  });
  const { push, throttling } = effective;
  return {
    factors: {
      email: { enabled: effective.email.enabled },
      totp: { enabled: effective.factors.totp.enabled },
      webauthn: { enabled: effective.factors.webauthn.enabled },
      push: { enabled: effective.factors.push.enabled },
    },
    push: {
      challenge_ttl_seconds: push.challengeTtlSeconds,
      enrollment_ttl_seconds: push.enrollmentTtlSeconds,
      sends: window(push.sends),
      denials: window(push.denials),
    },
    throttling: {
      account_free_failures: throttling.accountFreeFailures,
      account_max_delay_seconds: throttling.accountMaxDelaySeconds,
      account_lock_failures: throttling.accountLockFailures,
      ip: window(throttling.ip),
      second_factor: window(throttling.secondFactor),
      code_tries_per_login: throttling.codeTriesPerLogin,
    },
    remember_browser: { days: effective.rememberBrowser.days },
    admin: { fresh_auth_seconds: effective.admin.freshAuthSeconds },
    acr_ladder: (effective.acrLadder ?? deps.ladder.levels).map((level) => ({
      acr: level.acr,
      factors: level.factors,
      phishing_resistant: level.phishingResistant === true,
      max_age: level.maxAge ?? null,
    })),
    restart_required: pendingPaths(wire(running), wire(effective)).filter(Boolean),
  };
}

/**
 * `/settings`: factor, push, throttling, remember-browser, admin and acr ladder settings. Changes are
 * stored over the configuration file and apply at once on every node (`live-config/live-settings.ts`),
 * except the acr ladder, which applies when the provider starts; `restart_required` lists the
 * settings whose stored value differs from what is running.
 */
export function registerSettingsRoutes(deps: ManagementDependencies): void {
  const { routes, store } = deps;
  const effective = async () => applySettingsOverrides(deps.config, await readSettingsOverrides(store.keys));

  routes.add({
    method: 'GET',
    path: '/settings',
    summary: 'The settings operators may change, as stored; restart_required names those not running yet',
    scope: 'read:settings',
    response: settingsView,
    handler: async () => view(deps, await effective()),
  });

  routes.add({
    method: 'PATCH',
    path: '/settings',
    summary: 'Change settings (applied at once on every node, except the acr ladder: at the next start)',
    scope: 'update:settings',
    recentAuthentication: true,
    body: settingsPatch,
    response: settingsView,
    handler: async ({ body, caller, request }) => {
      const overrides = mergeSettings(await readSettingsOverrides(store.keys), toOverrides(body));
      let next: StepupConfig;
      try {
        next = applySettingsOverrides(deps.config, overrides);
      } catch (error) {
        if (!(error instanceof z.ZodError)) throw error;
        const issue = error.issues[0];
        const field = (issue?.path ?? [])
          .map((part) => String(part).replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`))
          .join('.');
        throw new ApiError('invalid_body', `${field}: ${issue?.message ?? 'invalid'}`, {
          details: {
            field,
            issues: error.issues.map((one) => ({ field: one.path.join('.'), message: one.message })),
          },
        });
      }
      await writeSettingsOverrides(
        store.keys,
        overrides,
        adminChange({
          type: 'admin.settings.updated',
          caller,
          request,
          time: deps.clock(),
          details: { changed: Object.keys(body).sort() },
        }),
      );
      await deps.applyChanges();
      return view(deps, next);
    },
  });
}
