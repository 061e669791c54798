import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StepupRpOptions } from '@stepup/rp';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchDemo, type RunningDemo } from '../../apps/salary/demo/launch-demo.ts';
import { DEMO_SALARY_RECORDS, type SalaryEntry } from '../../apps/salary/src/salary-records.ts';
import { hashPassword } from '../../packages/idp/src/accounts/password-hashing.ts';
import type { StepupConfigInput } from '../../packages/idp/src/config/config-schema.ts';
import { createInProcessPushNotifier } from '../../packages/idp/src/factors/push/in-process-push-notifier.ts';
import { issuePushEnrollment } from '../../packages/idp/src/factors/push/issue-push-enrollment.ts';
import { createPushContext } from '../../packages/idp/src/factors/push/push-context.ts';
import { addVirtualAuthenticator } from '../../packages/idp/src/testing/chromium.ts';

// The salary scenario as a person walks it: `npm start`'s launcher (provider + app in one process,
// demo tenant and all) on free ports over a temporary data folder, and helpers for the browser.

export const PASSWORD = 'correct horse battery';
const SCREENSHOTS = new URL('../screenshots/', import.meta.url);
/** The laptop's window and the phone's, for the screenshots. */
export const LAPTOP = { viewport: { width: 1000, height: 760 } } as const;
export const PHONE = { viewport: { width: 390, height: 720 }, isMobile: true, hasTouch: true } as const;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** One salary entry for each test employee, so their salary page has something to show. */
function recordsFor(usernames: readonly string[]): Record<string, SalaryEntry[]> {
  return Object.fromEntries(
    usernames.map((username) => [
      username,
      [{ effective: '2024-06-01', annualBase: 64_000, currency: 'EUR', title: 'Analyst', reason: 'Hired' }],
    ]),
  );
}

export interface SalaryScenario {
  demo: RunningDemo;
  issuer: string;
  appUrl: string;
  /** What the launcher printed. */
  printed: string[];
  /** The demo employee's password, as printed. */
  passwordOf(username: string): string;
  /** A new employee with the password `PASSWORD` and no second factor (a salary history if named in `employees`). */
  addEmployee(username: string): Promise<{ id: string; username: string }>;
  close(): Promise<void>;
}

/**
 * Starts what `npm start` starts, in this process. The app is on 127.0.0.1 and the provider on
 * localhost, so each keeps its own cookies (a person on one host would share them, harmlessly).
 */
export async function startSalaryScenario(
  options: {
    /** Provider settings, written to a config file (`STEPUP_CONFIG`), e.g. a short acr ladder. */
    providerConfig?: Partial<StepupConfigInput>;
    /** Test employees with a salary history. */
    employees?: readonly string[];
    rpOptions?: Partial<StepupRpOptions>;
  } = {},
): Promise<SalaryScenario> {
  const dataDir = mkdtempSync(join(tmpdir(), 'stepup-salary-'));
  const [idpPort, appPort] = await Promise.all([freePort(), freePort()]);
  const env: NodeJS.ProcessEnv = {
    IDP_PORT: String(idpPort),
    APP_PORT: String(appPort),
    SALARY_BASE_URL: `http://127.0.0.1:${appPort}`,
    STEPUP_DATA_DIR: dataDir,
    STEPUP_LOG_LEVEL: 'silent',
  };
  if (options.providerConfig) {
    const file = join(dataDir, 'config.json');
    writeFileSync(file, JSON.stringify(options.providerConfig));
    env.STEPUP_CONFIG = file;
  }
  const printed: string[] = [];
  const demo = await launchDemo({
    env,
    print: (line) => printed.push(line),
    records: { ...DEMO_SALARY_RECORDS, ...recordsFor(options.employees ?? []) },
    ...(options.rpOptions ? { rpOptions: options.rpOptions } : {}),
  });
  const { store } = demo.stepup;
  return {
    demo,
    issuer: demo.issuer,
    appUrl: demo.appUrl,
    printed,
    passwordOf(username) {
      const password = demo.tenant?.employees.find((employee) => employee.username === username)?.password;
      assert.ok(password, `no password printed for ${username}`);
      assert.ok(
        printed.some((line) => line.includes(username) && line.includes(password)),
        'the password was printed',
      );
      return password;
    },
    async addEmployee(username) {
      const user = await store.users.create({
        username,
        name: null,
        email: null,
        passwordHash: await hashPassword(PASSWORD),
        now: Math.floor(Date.now() / 1000),
      });
      return { id: user.id, username };
    },
    async close() {
      await demo.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Saves full-page screenshots as `e2e/screenshots/<prefix>-<nn>-<name>.png`, numbered in order. */
export function screenshots(prefix: string): (page: Page, name: string) => Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  let count = 0;
  return async (page, name) => {
    count += 1;
    const file = new URL(`${prefix}-${String(count).padStart(2, '0')}-${name}.png`, SCREENSHOTS);
    await page.screenshot({ path: file.pathname, fullPage: true });
  };
}

/** The documents a tab loaded, in order (redirect hops included), with their status. */
export function recordNavigations(page: Page): { url: string; status: number }[] {
  const visits: { url: string; status: number }[] = [];
  page.on('response', (response) => {
    const request = response.request();
    if (request.isNavigationRequest() && request.frame() === page.mainFrame()) {
      visits.push({ url: response.url(), status: response.status() });
    }
  });
  return visits;
}

/** Fills the provider's sign-in form and waits for wherever it leads. */
export async function signInWithPassword(page: Page, username: string, password: string): Promise<void> {
  await page.fill('#username', username);
  await page.fill('#password', password);
  await Promise.all([
    page.waitForNavigation(),
    page.click('form[action$="/password"] button[type="submit"]'),
  ]);
}

/** Clicks and waits for the page it leads to. */
export async function clickThrough(page: Page, selector: string): Promise<void> {
  await Promise.all([page.waitForNavigation(), page.click(selector)]);
}

export async function heading(page: Page): Promise<string> {
  return ((await page.textContent('h1')) ?? '').trim();
}

/** The claims of the session's ID token, as the profile page shows them behind its disclosure. */
export async function sessionClaims(page: Page, appUrl: string): Promise<Record<string, unknown>> {
  const response = await page.goto(`${appUrl}/profile`);
  assert.equal(response?.status(), 200);
  assert.equal(new URL(page.url()).pathname, '/profile');
  return JSON.parse((await page.textContent('#raw-claims')) ?? '{}') as Record<string, unknown>;
}

/**
 * A phone with the authenticator web app, already added to `userId`'s account: the app opened from
 * an enrollment link (as the account page or a login's QR code gives one) and "Add this device".
 */
export async function phoneWithAuthenticator(
  browser: Browser,
  scenario: SalaryScenario,
  userId: string,
): Promise<{ context: BrowserContext; app: Page }> {
  const { stepup } = scenario.demo;
  const push = createPushContext({
    store: stepup.store,
    config: stepup.config,
    notifier: createInProcessPushNotifier(),
    logAuthEvent: () => {},
  });
  const { link } = await issuePushEnrollment(
    push,
    { userId, interactionUid: null },
    Math.floor(Date.now() / 1000),
  );
  const context = await browser.newContext(PHONE);
  const app = await context.newPage();
  await app.goto(link);
  await app.fill('#device-name', 'My phone');
  await app.click('#enroll-form button');
  await app.waitForSelector('text=This device is added');
  return { context, app };
}

/** A security key (CTAP2 over USB, presence only) already registered to `userId`, in `page`'s tab. */
export async function securityKeyFor(page: Page, scenario: SalaryScenario, userId: string): Promise<void> {
  const authenticator = await addVirtualAuthenticator(page, 'security-key');
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = publicKey.export({ format: 'jwk' });
  const id = randomBytes(16);
  await authenticator.cdp.send('WebAuthn.addCredential', {
    authenticatorId: authenticator.authenticatorId,
    credential: {
      credentialId: id.toString('base64'),
      isResidentCredential: false,
      rpId: new URL(scenario.issuer).hostname,
      privateKey: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
      signCount: 0,
    },
  });
  // The COSE_Key (RFC 9053 7.1: EC2, ES256, P-256) as CBOR: a map of five entries, x and y 32 bytes each.
  const coseKey = Buffer.concat([
    Buffer.from([0xa5, 0x01, 0x02, 0x03, 0x26, 0x20, 0x01, 0x21, 0x58, 0x20]),
    Buffer.from(jwk.x ?? '', 'base64url'),
    Buffer.from([0x22, 0x58, 0x20]),
    Buffer.from(jwk.y ?? '', 'base64url'),
  ]);
  await scenario.demo.stepup.store.webauthnCredentials.add({
    id: id.toString('base64url'),
    userId,
    publicKey: new Uint8Array(coseKey),
    counter: 0,
    transports: ['usb'],
    aaguid: '00000000-0000-0000-0000-000000000000',
    deviceType: 'singleDevice',
    backedUp: false,
    attachment: 'cross-platform',
    name: 'Security key',
    now: Math.floor(Date.now() / 1000),
  });
}
