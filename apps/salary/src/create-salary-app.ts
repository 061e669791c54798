import {
  createStepupRp,
  type RpSession,
  type SignInErrorDetails,
  type StepupRp,
  type StepupRpOptions,
} from '@stepup/rp';
import { createExpressAuth, getSession, toFetchRequest } from '@stepup/rp/express';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { summarizeAuthentication } from './authentication-summary.ts';
import type { SalaryConfig } from './config/salary-config.ts';
import { securityHeaders } from './http/security-headers.ts';
import { serveAssets } from './http/static-assets.ts';
import { payoutAccountResource } from './payout/payout-account-change.ts';
import { mountPayoutAccountRoutes } from './payout/payout-account-routes.ts';
import { createMemoryPayoutAccounts, type PayoutAccounts } from './payout/payout-accounts.ts';
import { createConsoleLogger, type SalaryLogger } from './salary-logger.ts';
import { DEMO_SALARY_RECORDS, findSalaryHistory, type SalaryRecords } from './salary-records.ts';
import { describeSignInFailure } from './sign-in-failure.ts';
import { renderHomePage } from './views/home-page.ts';
import type { PageChrome } from './views/layout.ts';
import { type Problem, renderProblemPage } from './views/problem-page.ts';
import { renderProfilePage } from './views/profile-page.ts';
import { renderNoSalaryPage, renderSalaryPage } from './views/salary-page.ts';

/** The salary page's policy name in `@stepup/rp`. */
export const SALARY_POLICY = 'salary';

export interface SalaryAppOptions {
  config: SalaryConfig;
  /** Payroll data; default the demo company's. */
  records?: SalaryRecords;
  /** Payout accounts; default the demo company's, in memory. */
  payoutAccounts?: PayoutAccounts;
  logger?: SalaryLogger;
  /** More `@stepup/rp` options on top of those the configuration gives (tests: `clockSkew`). */
  rpOptions?: Partial<StepupRpOptions>;
}

export interface SalaryApp {
  app: Express;
  rp: StepupRp;
}

/** The ID token's payload, for the "raw claims" disclosure (validated at the callback, not here). */
function decodeIdTokenPayload(idToken: string): Record<string, unknown> {
  const [, payload = ''] = idToken.split('.');
  try {
    return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
}

function stringClaim(session: RpSession, name: string): string | undefined {
  const value = session.claims[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function sendPage(res: Response, status: number, page: string): void {
  res.status(status);
  res.setHeader('content-type', 'text/html; charset=utf-8');
  // Pages show personal data: never kept by a browser cache or a proxy.
  res.setHeader('cache-control', 'no-store');
  res.end(page);
}

/**
 * The salary app of the seed scenario, built only on `@stepup/rp`'s public API: anyone signed in
 * sees `/profile`; `/salary` needs `amr` to contain `mfa` (asking the provider for `mfaAcr`). It
 * discovers the provider first, so the provider must be reachable.
 */
export async function createSalaryApp(options: SalaryAppOptions): Promise<SalaryApp> {
  const { config } = options;
  const records = options.records ?? DEMO_SALARY_RECORDS;
  const logger = options.logger ?? createConsoleLogger();

  const rp = await createStepupRp({
    issuer: config.issuer,
    clientId: config.clientId,
    ...(config.clientSecret === undefined ? {} : { clientSecret: config.clientSecret }),
    baseUrl: config.baseUrl,
    sessionSecret: config.sessionSecret,
    idTokenSigningAlg: config.idTokenAlg,
    scope: 'openid profile',
    // oidc-provider puts profile claims in the ID token only when asked by name (OIDC Core 5.5);
    // providers that do not support the claims parameter ignore it (RFC 6749 3.1).
    authorizationParams: { claims: JSON.stringify({ id_token: { preferred_username: null, name: null } }) },
    policies: {
      [SALARY_POLICY]: {
        amr: ['mfa'],
        acrValues: [config.mfaAcr],
        ...(config.mfaMaxAge === undefined ? {} : { maxAge: config.mfaMaxAge }),
      },
    },
    // Plain http only reaches this point for a loopback issuer (checked with the configuration).
    allowInsecureRequests: new URL(config.issuer).protocol === 'http:',
    onError(error, request) {
      // Not `code`: the provider's logger, which the demo hands in, redacts every field of that name.
      logger.warn(
        { error: error.code, detail: error.detail, path: new URL(request.url).pathname },
        error.code === 'client_authentication_failed'
          ? `${error.message} Set SALARY_CLIENT_SECRET to the client secret registered for ${config.clientId} and restart the app.`
          : error.message,
      );
    },
    // A sign-in or step-up that ends without the page gets the app's own page, saying why and what to do.
    errorPage: (details) => renderSignInFailure(details),
    ...options.rpOptions,
  });
  const auth = createExpressAuth(rp);
  const now = () => Math.floor(Date.now() / 1000);
  const fetchRequest = (req: Request) => toFetchRequest(req, rp.baseUrl);
  const chrome = (signedIn: boolean): PageChrome => ({
    signedIn,
    loginUrl: rp.loginUrl({ returnTo: '/profile' }),
    logoutPath: rp.routes.logout,
  });
  const salaryGuard = rp.requireStepUp(SALARY_POLICY);
  /** Whether a session opens the salary page now, by the same check the page's guard makes. */
  const opensSalary = async (req: Request) => (await salaryGuard(fetchRequest(req))).allowed;
  const summarize = (session: RpSession) =>
    summarizeAuthentication(session, { now: now(), mfaAcr: config.mfaAcr });
  const displayName = (session: RpSession) =>
    stringClaim(session, 'name') ?? stringClaim(session, 'preferred_username') ?? session.sub;

  const app = express();
  app.disable('x-powered-by');
  app.use(securityHeaders(new URL(config.issuer).origin));
  serveAssets(app);

  function renderSignInFailure(details: SignInErrorDetails): string {
    const { error, providerError, session } = details;
    const problem = describeSignInFailure({
      code: error.code,
      providerError,
      providerDescription: details.providerErrorDescription,
      // A second step was asked for: the rp says so, or the provider answered a step-up error, or
      // the person was already signed in (this app sends signed-in people back only to step up).
      stepUp:
        error.code === 'step_up_unmet' ||
        providerError === 'unmet_authentication_requirements' ||
        session !== undefined,
      signedIn: session !== undefined,
    });
    return renderProblemPage(problem, chrome(session !== undefined));
  }
  app.use(auth.routes());

  app.get('/', async (req, res) => {
    const session = await rp.getSession(fetchRequest(req));
    const page = renderHomePage({
      chrome: chrome(session !== undefined),
      ...(session ? { name: displayName(session) } : {}),
      salaryUnlocked: session !== undefined && (await opensSalary(req)),
    });
    sendPage(res, 200, page);
  });

  app.get('/profile', auth.requireAuth(), async (req, res) => {
    const session = getSession(res);
    const page = renderProfilePage({
      chrome: chrome(true),
      name: displayName(session),
      username: stringClaim(session, 'preferred_username'),
      sub: session.sub,
      summary: summarize(session),
      acr: session.acr,
      authTime: session.auth_time,
      salaryUnlocked: await opensSalary(req),
      rawClaims: JSON.stringify(decodeIdTokenPayload(session.idToken), null, 2),
    });
    sendPage(res, 200, page);
  });

  app.get('/salary', auth.requireStepUp(SALARY_POLICY), (_req, res) => {
    const session = getSession(res);
    const username = stringClaim(session, 'preferred_username');
    const history = findSalaryHistory(records, { sub: session.sub, preferredUsername: username });
    if (history.length === 0) {
      // 200 only with salary data: an empty history is "not found", said plainly.
      return sendPage(
        res,
        404,
        renderNoSalaryPage({ chrome: chrome(true), username: username ?? session.sub }),
      );
    }
    sendPage(
      res,
      200,
      renderSalaryPage({
        chrome: chrome(true),
        name: displayName(session),
        history,
        summary: summarize(session),
      }),
    );
  });

  mountPayoutAccountRoutes(app, {
    rp,
    auth,
    accounts: options.payoutAccounts ?? createMemoryPayoutAccounts(),
    personOf: (session) => stringClaim(session, 'preferred_username') ?? session.sub,
    resource: payoutAccountResource(config.baseUrl),
    chrome,
    sendPage,
    now,
  });

  app.use(async (req, res) => {
    const signedIn = (await rp.getSession(fetchRequest(req))) !== undefined;
    const problem: Problem = {
      title: 'Page not found',
      message: 'There is no page at this address.',
      steps: [],
      action: { href: '/', label: 'Go to the start page' },
    };
    sendPage(res, 404, renderProblemPage(problem, chrome(signedIn)));
  });

  app.use((error: unknown, _req: Request, res: Response, next: NextFunction) => {
    const reference = crypto.randomUUID();
    logger.error(
      {
        reference,
        err: error instanceof Error ? { message: error.message, stack: error.stack } : String(error),
      },
      'request failed',
    );
    if (res.headersSent) return next(error);
    const problem: Problem = {
      title: 'Something went wrong',
      message: 'This page could not be shown. Nothing was changed.',
      steps: ['Try again in a moment.', `If it keeps happening, quote the reference ${reference}.`],
      action: { href: '/', label: 'Go to the start page' },
    };
    sendPage(res, 500, renderProblemPage(problem, chrome(false)));
  });

  return { app, rp };
}
