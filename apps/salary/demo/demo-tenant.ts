import { randomBytes, randomInt } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hashPassword } from '../../../packages/idp/src/accounts/password-hashing.ts';
import { checkClientSecretStrength } from '../../../packages/idp/src/client-secrets/client-secret-strength.ts';
import {
  openClientSecret,
  protectClientSecret,
} from '../../../packages/idp/src/client-secrets/stored-client-secret.ts';
import { generateTotpSecret, totpUri } from '../../../packages/idp/src/factors/totp/totp.ts';
import { TotpFactor } from '../../../packages/idp/src/factors/totp/totp-factor.ts';
import type { StepupProvider } from '../../../packages/idp/src/stepup-provider.ts';
import type { ClientMetadata } from '../../../packages/idp/src/store/clients.ts';
import { raiseDemoPushLimit } from './demo-push-limit.ts';
import { ensurePayoutTransaction } from './payout-transaction.ts';
import { deploySeedAction, SEED_ACTION_NAME } from './seed-action.ts';

/** A demo employee: who they are and what they have for a second factor when the demo starts. */
export interface DemoEmployeeProfile {
  username: string;
  name: string;
  /** `none`: enrolls one during the first step-up. */
  factor: 'none' | 'totp';
  note: string;
}

/**
 * The demo company. No email addresses on purpose: a person with one would be offered email codes
 * before enrolling anything, and the scenario is about enrolling the phone.
 */
export const DEMO_EMPLOYEES: readonly DemoEmployeeProfile[] = [
  {
    username: 'alice',
    name: 'Alice Martin',
    factor: 'none',
    note: 'no second factor yet: adds the authenticator (push) at her first visit to the salary page',
  },
  {
    username: 'bob',
    name: 'Bob Nguyen',
    factor: 'totp',
    note: 'TOTP already set up: add the secret below to an authenticator app',
  },
  {
    username: 'carol',
    name: 'Carol Diaz',
    factor: 'none',
    note: 'joined this month: no salary records yet (the empty state)',
  },
];

/** A demo employee as printed: the password is only known if this data folder's demo made it. */
export interface DemoEmployee extends DemoEmployeeProfile {
  password: string | undefined;
  totp?: { secret: string; uri: string };
}

/** What `npm start` printed and what the salary app signs in with. */
export interface DemoTenant {
  /** True when this start created the demo employees (first start on this data folder). */
  created: boolean;
  /** When the demo was first created, ISO 8601. */
  createdAt: string;
  file: string;
  clientId: string;
  clientSecret: string;
  sessionSecret: string;
  employees: DemoEmployee[];
  action: { name: string; version: number; enabled: boolean; changed: boolean };
  /** True when the salary client was registered or its URLs updated by this start. */
  clientChanged: boolean;
  /** The payout account transaction: its resource, and whether this start registered or updated it. */
  payoutTransaction: { resource: string; changed: boolean };
}

/** The demo's secrets, kept next to the database so restarts sign in with the same ones. */
interface DemoFile {
  about: string;
  createdAt: string;
  clientSecret: string;
  sessionSecret: string;
  employees: Record<string, { password: string; totpSecret?: string }>;
}

const DEMO_FILE_NAME = 'demo-tenant.json';
/** Easy to read and type: no 0/O, 1/l/I. */
const PASSWORD_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

function demoPassword(): string {
  const part = () =>
    Array.from({ length: 4 }, () => PASSWORD_ALPHABET[randomInt(PASSWORD_ALPHABET.length)]).join('');
  return `${part()}-${part()}-${part()}`;
}

/** The demo's secrets as read from (or about to be written to) the data folder. */
export interface DemoSecrets {
  file: string;
  content: DemoFile;
  isNew: boolean;
}

/** The demo's secrets: read from the data folder, or made up on the first start (saved with the tenant). */
export function loadDemoSecrets(dataDir: string): DemoSecrets {
  const file = join(dataDir, DEMO_FILE_NAME);
  try {
    const content = JSON.parse(readFileSync(file, 'utf8')) as DemoFile;
    if (typeof content.clientSecret === 'string' && typeof content.sessionSecret === 'string') {
      content.employees ??= {};
      return { file, content, isNew: false };
    }
  } catch {
    // No file yet (first start), or not ours: start a new one.
  }
  return {
    file,
    isNew: true,
    content: {
      about:
        'DEMO tenant of `npm start`: passwords and secrets for demo data only. Delete the data folder to start over.',
      createdAt: new Date().toISOString(),
      clientSecret: randomBytes(32).toString('base64url'),
      sessionSecret: randomBytes(32).toString('base64url'),
      employees: {},
    },
  };
}

function saveDemoFile(dataDir: string, file: string, content: DemoFile): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  writeFileSync(file, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600 });
}

function sameList(a: unknown, b: readonly string[]): boolean {
  return Array.isArray(a) && a.length === b.length && a.every((value, index) => value === b[index]);
}

/**
 * Creates the demo tenant on the first start over a data folder, and makes sure of it on every start:
 * the salary client (confidential, HS256 ID tokens like the seed) with the app's current redirect URI,
 * the demo employees (created once, never changed afterwards), the seed's Action, and the payout
 * account transaction type with its resource (see `payout-transaction.ts`). Only called
 * in demo mode; nothing here runs when `STEPUP_DEMO=false`.
 */
export async function ensureDemoTenant(
  stepup: StepupProvider,
  options: {
    /** From `loadDemoSecrets`, read once for both the app and the tenant. */
    secrets: DemoSecrets;
    clientId: string;
    /** The app's secret; default the one the demo keeps. */
    clientSecret?: string;
    redirectUri: string;
    postLogoutRedirectUri: string;
    /** The resource indicator the app's payout account change names (`payoutAccountResource`). */
    payoutResource: string;
  },
): Promise<DemoTenant> {
  const { store, config } = stepup;
  const { secrets } = options;
  const demo = secrets.content;
  const now = Math.floor(Date.now() / 1000);
  const clientSecret = options.clientSecret ?? demo.clientSecret;

  const wanted: ClientMetadata = {
    client_id: options.clientId,
    client_secret: clientSecret,
    client_name: 'Salary',
    redirect_uris: [options.redirectUri],
    post_logout_redirect_uris: [options.postLogoutRedirectUri],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    id_token_signed_response_alg: 'HS256',
  };
  // The app's own secret is checked like any other: 256 random bits (the demo makes one that is).
  checkClientSecretStrength(clientSecret);
  const secretBox = stepup.secretKeyring;
  const existing = await store.clients.find(options.clientId);
  const clientChanged =
    existing === undefined ||
    openClientSecret(existing, secretBox) !== clientSecret ||
    existing.id_token_signed_response_alg !== 'HS256' ||
    !sameList(existing.redirect_uris, wanted.redirect_uris as string[]) ||
    !sameList(existing.post_logout_redirect_uris, wanted.post_logout_redirect_uris as string[]);
  if (clientChanged) {
    // HS256 ID tokens are keyed by the secret, so it rests sealed, not hashed.
    await store.clients.upsert(
      protectClientSecret(existing ? { ...existing, ...wanted } : wanted, secretBox),
    );
  }

  let created = false;
  const totp = new TotpFactor(store.factors, secretBox);
  const employees: DemoEmployee[] = [];
  for (const profile of DEMO_EMPLOYEES) {
    let kept = demo.employees[profile.username];
    if ((await store.users.findByLogin(profile.username)) === undefined) {
      kept = { password: kept?.password ?? demoPassword() };
      const user = await store.users.create({
        username: profile.username,
        name: profile.name,
        email: null,
        passwordHash: await hashPassword(kept.password),
        now,
      });
      if (profile.factor === 'totp') {
        kept.totpSecret = generateTotpSecret();
        await totp.enroll(user.id, kept.totpSecret, 'Demo authenticator app', now);
      }
      demo.employees[profile.username] = kept;
      created = true;
    }
    employees.push({
      ...profile,
      password: kept?.password,
      ...(kept?.totpSecret
        ? {
            totp: {
              secret: kept.totpSecret,
              uri: totpUri({
                issuer: new URL(config.issuer).host,
                accountName: profile.username,
                secret: kept.totpSecret,
              }),
            },
          }
        : {}),
    });
  }
  if (secrets.isNew || created) saveDemoFile(config.dataDir, secrets.file, demo);
  if (created) await raiseDemoPushLimit(stepup);

  const { action, changed } = await deploySeedAction(stepup, options.clientId);
  const payoutChanged = await ensurePayoutTransaction(stepup, options.payoutResource);
  return {
    created,
    createdAt: demo.createdAt,
    file: secrets.file,
    clientId: options.clientId,
    clientSecret,
    sessionSecret: demo.sessionSecret,
    employees,
    action: { name: SEED_ACTION_NAME, version: action.version, enabled: action.enabled, changed },
    clientChanged,
    payoutTransaction: { resource: options.payoutResource, changed: payoutChanged },
  };
}
