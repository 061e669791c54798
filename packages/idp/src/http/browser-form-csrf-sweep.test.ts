import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { totpCodeAt } from '../factors/totp/totp.ts';
import { SQLITE_FILE_NAME } from '../store/sqlite/sqlite-store.ts';
import { hiddenField, TestBrowser } from '../testing/test-browser.ts';
import { startTestProvider, type TestProvider } from '../testing/test-provider.ts';
import { expectPage, submitPassword, submitTotp } from '../testing/test-relying-party.ts';

const PASSWORD = 'correct horse battery';
const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const CROSS_SITE = { origin: 'https://attacker.example', 'sec-fetch-site': 'cross-site' };
/** A sibling subdomain: SameSite cookies go along, so only the browser's own statement tells. */
const SAME_SITE = { origin: 'http://evil.localhost', 'sec-fetch-site': 'same-site' };
/** An older browser without Fetch Metadata: the Origin alone. */
const FOREIGN_ORIGIN = { origin: 'https://attacker.example' };
/** What a browser sends with the provider's own forms under `Referrer-Policy: no-referrer`. */
const OWN_PAGE = { origin: 'null', 'sec-fetch-site': 'same-origin' };

/**
 * Routes that change state but are not browser forms guarded by a CSRF token, each with the reason.
 * A route that is neither here nor in SWEPT fails the sweep.
 */
const EXEMPT: Record<string, string> = {
  // Changes nothing: the recovery-code page's "I saved them" form lands back on the account page.
  'POST /account': 'redirects to GET /account and changes nothing',
  // The push authenticator's device API: no cookies; an enrollment token or the device's signature.
  'POST /authenticator/devices': 'authenticated by a single-use enrollment token, not a cookie',
  'POST /authenticator/challenges/:id/response': 'authenticated by the device key signature, not a cookie',
  // Forgotten passwords: asked for before any sign-in, so there is no session to bind a token to.
  'POST /account/password/forgot':
    'no cookie or session: anyone may ask, the answer is the same for every name, the link goes only to the address on file, and asking is throttled per account and per IP',
  'POST /account/password/reset':
    'authenticated by the single-use reset token in the form (32 random bytes from the email), not a cookie; cross-site posts are still refused',
  'POST /account/password/reset/push':
    "authenticated by the reset token in the form, not a cookie; sends a request to the link's person's own devices, under the per-account push limits",
  'POST /account/password/reset/webauthn/options':
    'authenticated by the reset token in the body, not a cookie; issues a challenge bound to that link and changes nothing else',
  // The way back from an Action's external page (api.redirect), cross-site by design, as on Auth0.
  'POST /continue':
    "finds the login by the hash of the Action's redirect state and sends the browser on to it; decides nothing",
  'POST /interaction/:uid/continue':
    "the Action's redirect state is its anti-forgery token: 32 random bytes bound to this login, spent once, with the interaction cookie",
};

/** The management API takes bearer tokens and no cookies; its own sweep covers every route. */
const isBearerApi = (url: string) => url.startsWith('/api/v1/');

/** Where a route's request is sent from: which page the browser has open when it posts. */
type Context = 'login' | 'second-factor' | 'account';

interface SweptRoute {
  context: Context;
  /** The fields that, with the right token, make the request do its work (set up first if need be). */
  form(subject: Subject): Record<string, string> | Promise<Record<string, string>>;
  /**
   * The right token makes the request change the stored state (a route that only answers, such as a
   * WebAuthn options call, may leave it as it was).
   */
  changesState: boolean;
}

interface Subject {
  browser: TestBrowser;
  /** The token of the page the form is on: an interaction's, or the verified account page's. */
  csrf: string;
  interactionUid?: string;
  factorId: string;
  username: string;
}

const none = () => ({});
/** With the right token the route works, but this context gives it nothing to store (reason given). */
const answersOnly = (context: Context): SweptRoute => ({ context, form: none, changesState: false });

const SWEPT: Record<string, SweptRoute> = {
  'POST /interaction/:uid/password': {
    context: 'login',
    form: (s) => ({ username: s.username, password: PASSWORD }),
    changesState: true,
  },
  'POST /interaction/:uid/passkey/options': { context: 'login', form: none, changesState: true },
  // 400 without an authenticator's answer: no passkey ceremony is built here.
  'POST /interaction/:uid/passkey': answersOnly('login'),
  'POST /interaction/:uid/cancel': { context: 'login', form: none, changesState: true },
  'POST /interaction/:uid/totp': {
    context: 'second-factor',
    form: () => ({ code: totpCodeAt(SECRET, Math.floor(Date.now() / 1000)) }),
    changesState: true,
  },
  'POST /interaction/:uid/choose': {
    context: 'second-factor',
    form: () => ({ method: 'totp' }),
    changesState: true,
  },
  'POST /interaction/:uid/webauthn/options': { context: 'second-factor', form: none, changesState: true },
  'POST /interaction/:uid/email-code': { context: 'second-factor', form: none, changesState: true },
  'POST /interaction/:uid/recovery-code': { context: 'second-factor', form: none, changesState: true },
  // The person has only TOTP: no push device, security key, email address or recovery codes, and no
  // enrollment was asked for, so these send the browser back to the TOTP step (303) or answer 400/409.
  'POST /interaction/:uid/push/resend': answersOnly('second-factor'),
  'POST /interaction/:uid/webauthn': answersOnly('second-factor'),
  'POST /interaction/:uid/webauthn-enrollment/options': answersOnly('second-factor'),
  'POST /interaction/:uid/webauthn-enrollment': answersOnly('second-factor'),
  'POST /interaction/:uid/totp-enrollment': answersOnly('second-factor'),
  'POST /interaction/:uid/email-code/send': answersOnly('second-factor'),
  'POST /interaction/:uid/recovery-codes/new': answersOnly('second-factor'),
  'POST /interaction/:uid/recovery-codes/continue': answersOnly('second-factor'),
  'POST /interaction/:uid/remember-browser': answersOnly('second-factor'),
  // Starts the step-up with a redirect to /authorize; its state lives in a cookie, not the store.
  'POST /account/verify': answersOnly('account'),
  'POST /account/factors/rename': {
    context: 'account',
    form: (s) => ({ factor: `totp:${s.factorId}`, name: 'Renamed' }),
    changesState: true,
  },
  'POST /account/factors/remove': {
    context: 'account',
    form: (s) => ({ factor: `totp:${s.factorId}`, confirm: 'yes' }),
    changesState: true,
  },
  'POST /account/password': {
    context: 'account',
    form: () => ({
      current_password: PASSWORD,
      new_password: 'violet kettle across the dune',
      confirm_password: 'violet kettle across the dune',
    }),
    changesState: true,
  },
  'POST /account/recovery-codes/new': { context: 'account', form: none, changesState: true },
  'POST /account/forget-browsers': { context: 'account', form: none, changesState: true },
  'POST /account/totp/new': { context: 'account', form: none, changesState: true },
  'POST /account/push/new': { context: 'account', form: none, changesState: true },
  'POST /account/webauthn/options': { context: 'account', form: none, changesState: true },
  'POST /account/totp': {
    context: 'account',
    form: async (s) => {
      const started = await s.browser.request('/account/totp/new', { form: { csrf: s.csrf } });
      const key = /<code class="secret">([^<]+)<\/code>/.exec(await started.text())?.[1] ?? '';
      return { name: 'Second app', code: totpCodeAt(key.replace(/\s/g, ''), Math.floor(Date.now() / 1000)) };
    },
    changesState: true,
  },
  // Each needs the device or authenticator answer of an enrollment not made here.
  'POST /account/push/done': answersOnly('account'),
  'POST /account/webauthn/new': answersOnly('account'),
  'POST /account/webauthn': answersOnly('account'),
};

/** Tables a refusal may add to: the audit trail records refused account changes (and its row counter). */
const AUDIT_TABLES = ['audit_events', 'sqlite_sequence'];

interface Snapshot {
  /** Every row of every other table: factors, sessions, interaction progress, codes, devices… */
  state: Record<string, unknown[]>;
  audit: { type: string; details: string }[];
}

function snapshot(idp: TestProvider): Snapshot {
  const db = new Database(join(idp.dataDir, SQLITE_FILE_NAME), { readonly: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as {
      name: string;
    }[];
    const state = Object.fromEntries(
      tables
        .filter(({ name }) => !AUDIT_TABLES.includes(name))
        .map(({ name }) => [name, db.prepare(`SELECT * FROM "${name}" ORDER BY rowid`).all()]),
    );
    const audit = db
      .prepare('SELECT type, details FROM audit_events ORDER BY seq')
      .all() as Snapshot['audit'];
    return { state, audit };
  } finally {
    db.close();
  }
}

/**
 * The CSRF sweep: every state-changing route Fastify serves is either a browser form swept here or
 * exempt with a reason. Each swept route is posted from a real context where the right token makes it
 * work; without a token, with another session's token, or from another site, it is refused with 403
 * and not one stored row changes (the audit trail may record the refusal, nothing else).
 */
describe('CSRF sweep over every browser form of the provider', () => {
  let idp: TestProvider;
  let users = 0;

  before(async () => {
    idp = await startTestProvider({ account: { stepUpMaxAgeSeconds: 300 } });
  });
  after(() => idp.close());

  async function newUser() {
    users += 1;
    const user = await idp.addUser(`csrf-${users}`, PASSWORD);
    // Two authenticator apps, so that removing one is allowed (the last factor is kept).
    await idp.importTotp(user.id, SECRET);
    await idp.importTotp(user.id, SECRET);
    const [factor] = await idp.stepup.store.factors.listForUser(user.id);
    assert.ok(factor);
    return { username: user.username, factorId: factor.id };
  }

  /** A new person in a new browser, at the page the context names. */
  async function open(context: Context): Promise<Subject> {
    const { username, factorId } = await newUser();
    const browser = new TestBrowser(idp.issuer);
    const login = expectPage(await browser.navigate('/account'));
    let page = login;
    if (context !== 'login') {
      const account = expectPage(await submitPassword(browser, login.html, username, PASSWORD));
      page = expectPage(
        await browser.navigate('/account/verify', { form: { csrf: hiddenField(account.html, 'csrf') } }),
      );
      assert.match(page.html, /name="code"/, 'the step-up asks for the second factor');
      if (context === 'account') {
        page = expectPage(
          await submitTotp(browser, page.html, totpCodeAt(SECRET, Math.floor(Date.now() / 1000))),
        );
        assert.equal(new URL(page.url).search, '?notice=verified');
      }
    }
    const interactionUid = /\/interaction\/([^/"]+)\//.exec(page.html)?.[1];
    return {
      browser,
      csrf: hiddenField(page.html, 'csrf'),
      username,
      factorId,
      ...(context === 'account' || !interactionUid ? {} : { interactionUid }),
    };
  }

  function pathOf(url: string, subject: Subject): string {
    if (!url.includes(':uid')) return url;
    assert.ok(subject.interactionUid, `no interaction open for ${url}`);
    return url.replace(':uid', subject.interactionUid);
  }

  test('every state-changing route is swept or exempt with a reason', () => {
    const changing = idp.stepup.routes
      .filter(({ method }) => !['GET', 'HEAD', 'OPTIONS'].includes(method))
      .map(({ method, url }) => `${method} ${url}`);
    const uncovered = changing.filter(
      (route) => !(route in SWEPT) && !(route in EXEMPT) && !isBearerApi(route.split(' ')[1] ?? ''),
    );
    assert.deepEqual(uncovered, [], 'routes neither swept for CSRF nor exempt');
    const gone = [...Object.keys(SWEPT), ...Object.keys(EXEMPT)].filter((route) => !changing.includes(route));
    assert.deepEqual(gone, [], 'swept or exempt routes the server no longer serves');
  });

  for (const [route, swept] of Object.entries(SWEPT)) {
    const url = route.split(' ')[1] ?? '';
    test(`${route}: no token, another session's token or another site is refused, and nothing changes`, async () => {
      const victim = await open(swept.context);
      const other = await open(swept.context);
      const path = pathOf(url, victim);
      const fields = await swept.form(victim);
      const before = snapshot(idp);

      const refusals: [string, Parameters<TestBrowser['request']>[1]][] = [
        ['no token', { form: fields }],
        ['another session’s token', { form: { ...fields, csrf: other.csrf } }],
        ['another site', { form: { ...fields, csrf: victim.csrf }, headers: CROSS_SITE }],
        ['a sibling subdomain', { form: { ...fields, csrf: victim.csrf }, headers: SAME_SITE }],
        ['another origin', { form: { ...fields, csrf: victim.csrf }, headers: FOREIGN_ORIGIN }],
      ];
      for (const [name, init] of refusals) {
        const refused = await victim.browser.request(path, init);
        assert.equal(refused.status, 403, `${name}: ${refused.status}`);
        const { state, audit } = snapshot(idp);
        assert.deepEqual(state, before.state, `${name}: the stored state changed`);
        assert.deepEqual(
          audit.slice(before.audit.length).map((row) => [row.type, row.details]),
          audit.length > before.audit.length ? [['account.change_refused', '{"reason":"csrf"}']] : [],
          `${name}: audit events other than the refusal`,
        );
        before.audit = audit;
      }

      // The positive control: the same request with the right token, from the provider's own page, works.
      const accepted = await victim.browser.request(path, {
        form: { ...fields, csrf: victim.csrf },
        headers: OWN_PAGE,
      });
      assert.ok(accepted.status !== 403 && accepted.status < 500, `right token: ${accepted.status}`);
      if (swept.changesState)
        assert.notDeepEqual(snapshot(idp).state, before.state, 'the right token changed nothing');
    });
  }
});
