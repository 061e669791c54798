import { createHash, randomBytes } from 'node:crypto';
import type { AcrLadder, MethodName, ProvenMethod } from '@stepup/core';
import type { Logger } from 'pino';
import { clientScopesFor } from '../admin/client-api-scopes.ts';
import { ALLOWED_SCOPES_METADATA } from '../admin/management-api-identity.ts';
import type { StepupConfig } from '../config/config-schema.ts';
import type { SecretBox } from '../crypto/secret-box.ts';
import type { AuthEventLogger } from '../log/auth-events.ts';
import type { Store } from '../store/store.ts';
import { ActionCache } from './cache/action-cache.ts';
import type { JsonObject } from './json-value.ts';
import { type LoginEffects, loginEffectsOf, NO_LOGIN_EFFECTS } from './login-effects.ts';
import { type ActionsRequirement, METHOD_FACTOR_TYPES, requirementFromActions } from './login-requirement.ts';
import type { PostLoginFactorType, PostLoginInput, PostLoginProtocol } from './post-login-event.ts';
import type { PausedActions, PostLoginOutcome } from './post-login-outcome.ts';
import { lookUpRequestGeoip } from './request-geoip.ts';
import { continuePostLoginActions, runPostLoginActions } from './run-post-login-actions.ts';
import type { ActionSandbox } from './sandbox/action-sandbox.ts';

/** One login, as the provider sees it when the Actions run. */
export interface LoginForActions {
  accountId: string;
  clientId: string;
  clientName: string | null;
  /** The authorization request's parameters as sent. */
  params: Readonly<Record<string, unknown>>;
  protocol: PostLoginProtocol;
  ip: string;
  userAgent: string | null;
  hostname: string;
  /** The browser session the login continues (its uid), when there is one for this person. */
  sessionId?: string;
  proofs: readonly ProvenMethod[];
  /**
   * A refresh has no browser session to read proofs from: the `amr` and `auth_time` the refresh
   * token records stand in for them in `event.authentication.methods`.
   */
  recordedAuthentication?: { amr: readonly string[]; authTime: number };
  /** The person's enrolled second-factor methods; read only when an Action is enabled. */
  enrolledMethods: () => Promise<readonly MethodName[]>;
}

/**
 * What a login keeps of the Actions' outcome: the decision, the requirement they add, and the
 * claims and metadata changes to apply once the login completes (`login-effects.ts`).
 */
export type LoginActionsDecision =
  | { decision: 'allow'; requirement: ActionsRequirement; effects: LoginEffects }
  | { decision: 'deny'; code: string; reason: string }
  | {
      /** An Action called `api.redirect.sendUserTo`: send the browser to `url` (it carries the state). */
      decision: 'redirect';
      url: string;
      pending: PendingRedirect;
    };

/**
 * What a login keeps while the browser is away after `api.redirect.sendUserTo`: the state's hash
 * (the state itself travels only in the browser's URL), where the browser went, and the paused
 * Actions. Server-side, with the interaction.
 */
export interface PendingRedirect {
  /** SHA-256 of the state, base64url. */
  stateHash: string;
  /** The origin the browser was sent to, for the page shown should it come back without finishing. */
  origin: string;
  paused: PausedActions;
}

/** What a login interaction stores of the Actions' decision: a redirect without its URL. */
export type StoredActionsDecision =
  | Exclude<LoginActionsDecision, { decision: 'redirect' }>
  | { decision: 'redirect'; pending: PendingRedirect };

/** The hash under which a redirect's state is kept and looked up. */
export function hashRedirectState(state: string): string {
  return createHash('sha256').update(state).digest('base64url');
}

/** What `/continue` brought back for a paused login: the state (checked against its hash) and the parameters. */
export interface ContinuedLogin {
  state: string;
  params: Readonly<Record<string, string>>;
}

/**
 * Runs the post-login Actions for a login and reduces their outcome to what the login flow acts on.
 * A denial or a failed Action is reported as the auth event `action.denied` / `action.failed`.
 */
export class LoginActions {
  readonly #store: Store;
  readonly #sandbox: ActionSandbox;
  readonly #secretBox: SecretBox;
  readonly #logger: Logger;
  readonly #settings: StepupConfig['actions'];
  readonly #ladder: AcrLadder;
  readonly #logAuthEvent: AuthEventLogger | undefined;
  readonly #tenantId: string;
  readonly #issuer: string;
  readonly #cache: ActionCache;

  constructor(options: {
    /** The provider's issuer: the `iss` of `api.redirect` tokens. */
    issuer: string;
    store: Store;
    sandbox: ActionSandbox;
    secretBox: SecretBox;
    logger: Logger;
    settings: StepupConfig['actions'];
    ladder: AcrLadder;
    logAuthEvent?: AuthEventLogger;
    /** `event.tenant.id`: the issuer's host name. */
    tenantId: string;
  }) {
    this.#store = options.store;
    this.#sandbox = options.sandbox;
    this.#secretBox = options.secretBox;
    this.#logger = options.logger;
    this.#settings = options.settings;
    this.#ladder = options.ladder;
    this.#logAuthEvent = options.logAuthEvent;
    this.#tenantId = options.tenantId;
    this.#issuer = options.issuer;
    this.#cache = new ActionCache(options.store.interactionStates);
  }

  /**
   * Runs the Actions for a login. `api.redirect.sendUserTo` is possible wherever a browser is
   * present (a refresh has none): the decision is then `redirect`, and the login resumes with
   * `continue`. Without a page to show (`prompt=none`, or a login the session satisfies) the caller
   * turns a redirect into a request for the interaction, which runs the Actions again.
   */
  async run(login: LoginForActions): Promise<LoginActionsDecision> {
    // With no Action enabled there is nothing to run: the event (a dozen reads) is not built.
    // Interactive logins are still counted, for `event.stats.logins_count` once Actions exist.
    if (!(await this.#anyEnabled())) {
      if (login.protocol === 'oidc-basic-profile') await this.#countLogin(login.accountId, login.protocol);
      return { decision: 'allow', requirement: {}, effects: NO_LOGIN_EFFECTS };
    }
    const input = await this.#input(login);
    if (!input) return { decision: 'deny', code: 'access_denied', reason: 'the account no longer exists' };
    const redirect = login.protocol === 'oauth2-refresh-token' ? undefined : this.#redirectSupport();
    const outcome = await runPostLoginActions(input, this.#dependencies(), {
      ...(redirect ? { redirect } : {}),
      grantableScopes: await this.#grantableScopes(login),
    });
    return this.#decide(outcome, login, redirect);
  }

  /**
   * Resumes a login paused by `api.redirect.sendUserTo`, once the browser is back at `/continue`
   * with the state whose hash `pending` holds (the caller checked it and spent it).
   */
  async continue(
    login: LoginForActions,
    pending: PendingRedirect,
    continued: ContinuedLogin,
  ): Promise<LoginActionsDecision> {
    const input = await this.#input(login);
    if (!input) return { decision: 'deny', code: 'access_denied', reason: 'the account no longer exists' };
    const redirect = this.#redirectSupport();
    const outcome = await continuePostLoginActions(input, pending.paused, continued, this.#dependencies(), {
      redirect,
      grantableScopes: await this.#grantableScopes(login),
    });
    return this.#decide(outcome, login, redirect);
  }

  /**
   * What `api.accessToken.addScope` may add: the scopes of the API(s) this login requested
   * (`resource`, RFC 8707) that the client may be granted — all of an API's scopes, unless the
   * client has an allow-list (`stepup_allowed_scopes`), then those it lists for that API. The same
   * rule `resource-indicators.ts` applies when the token is issued.
   */
  async #grantableScopes(login: LoginForActions): Promise<string[]> {
    const requested = login.params.resource;
    const resources = (Array.isArray(requested) ? requested : [requested]).filter(
      (resource): resource is string => typeof resource === 'string',
    );
    if (resources.length === 0) return [];
    const metadata = (await this.#store.clients.find(login.clientId)) ?? {};
    const grantable = new Set<string>();
    for (const resource of resources) {
      const api = await this.#store.resourceServers.find(resource);
      if (!api) continue;
      const limited = Object.hasOwn(metadata, ALLOWED_SCOPES_METADATA);
      const allowed = clientScopesFor(metadata, resource);
      for (const scope of api.scopes) if (!limited || allowed.includes(scope)) grantable.add(scope);
    }
    return [...grantable];
  }

  #redirectSupport() {
    return { issuer: this.#issuer, state: randomBytes(32).toString('base64url') };
  }

  #dependencies() {
    return {
      cache: this.#cache,
      actions: this.#store.actions,
      secretBox: this.#secretBox,
      sandbox: this.#sandbox,
      logger: this.#logger,
      settings: this.#settings,
    };
  }

  #decide(
    outcome: PostLoginOutcome,
    login: LoginForActions,
    redirect: { state: string } | undefined,
  ): LoginActionsDecision {
    if (outcome.decision === 'deny') {
      this.#reportDenial(outcome, login);
      return { decision: 'deny', code: outcome.code, reason: outcome.reason };
    }
    if (outcome.decision === 'redirect' && redirect) {
      return {
        decision: 'redirect',
        url: outcome.url,
        pending: {
          stateHash: hashRedirectState(redirect.state),
          origin: new URL(outcome.url).origin,
          paused: outcome.paused,
        },
      };
    }
    return {
      decision: 'allow',
      requirement: requirementFromActions(outcome, this.#ladder),
      effects: loginEffectsOf(outcome),
    };
  }

  async #input(login: LoginForActions): Promise<PostLoginInput | undefined> {
    // The operators' view of the person: their roles come with it (`event.authorization`).
    const user = await this.#store.userManagement.find(login.accountId);
    if (!user) return undefined;
    const metadata = await this.#store.userMetadata.find(user.id);
    return {
      user: {
        id: user.id,
        username: user.username,
        email: user.email,
        emailVerified: user.emailVerified,
        name: user.name,
        appMetadata: metadata?.appMetadata ?? {},
        userMetadata: metadata?.userMetadata ?? {},
        enrolledFactors: enrolledFactorTypes(await login.enrolledMethods()),
        roles: user.roles,
        createdAt: user.createdAt,
      },
      client: {
        clientId: login.clientId,
        name: login.clientName,
        metadata: await this.#clientMetadata(login.clientId),
      },
      transaction: {
        acrValues: words(login.params.acr_values),
        requestedScopes: words(login.params.scope),
        redirectUri: typeof login.params.redirect_uri === 'string' ? login.params.redirect_uri : null,
        protocol: login.protocol,
        uiLocales: words(login.params.ui_locales),
      },
      request: {
        ip: login.ip,
        userAgent: login.userAgent,
        hostname: login.hostname,
        query: stringParams(login.params),
        geoip: lookUpRequestGeoip(login.ip),
      },
      tenantId: this.#tenantId,
      resourceServer: typeof login.params.resource === 'string' ? login.params.resource : null,
      // A session that has proven nothing yet has no authentication time to give: none is shown.
      session:
        login.sessionId === undefined || login.proofs.length === 0
          ? null
          : { id: login.sessionId, authenticatedAt: Math.max(...login.proofs.map((proof) => proof.at)) },
      authenticationMethods: login.recordedAuthentication
        ? recordedMethods(login.recordedAuthentication)
        : login.proofs.map((proof) => ({ name: amrName(proof.method), at: proof.at })),
      loginsCount: await this.#countLogin(user.id, login.protocol),
    };
  }

  #reportDenial(outcome: Extract<PostLoginOutcome, { decision: 'deny' }>, login: LoginForActions): void {
    // The last execution is the one that denied or failed; none when the Actions could not be loaded.
    const last = outcome.executions.at(-1);
    const common = {
      action: last?.actionName ?? null,
      userId: login.accountId,
      clientId: login.clientId,
      protocol: login.protocol,
    };
    if (outcome.code === 'access_denied') {
      this.#logAuthEvent?.({ event: 'action.denied', ...common, reason: outcome.reason });
    } else {
      this.#logAuthEvent?.({ event: 'action.failed', ...common, errorCode: outcome.code });
    }
  }

  /** False only when the store says no post-login Action is enabled; a failing read runs them (and denies). */
  async #anyEnabled(): Promise<boolean> {
    try {
      return (await this.#store.actions.listEnabled('post-login')).length > 0;
    } catch {
      return true;
    }
  }

  /** `event.client.metadata`: the registration's `metadata`, string values only (as in Auth0). */
  async #clientMetadata(clientId: string): Promise<Record<string, string>> {
    const metadata = (await this.#store.clients.find(clientId))?.metadata;
    if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) return {};
    const strings: Record<string, string> = {};
    for (const [key, value] of Object.entries(metadata as JsonObject)) {
      if (typeof value === 'string' && key !== '__proto__') strings[key] = value;
    }
    return strings;
  }

  async #countLogin(userId: string, protocol: PostLoginProtocol): Promise<number> {
    const key = `logins:${userId}`;
    const now = Math.floor(Date.now() / 1000);
    if (protocol !== 'oidc-basic-profile') return (await this.#store.attempts.peek(key, now))?.count ?? 0;
    return (await this.#store.attempts.increment(key, LOGIN_COUNT_WINDOW, now)).count;
  }
}

/** Logins are counted per user; silent authentication and refresh read the count without adding. */
const LOGIN_COUNT_WINDOW = 100 * 365 * 24 * 3600;

function enrolledFactorTypes(methods: readonly MethodName[]): PostLoginFactorType[] {
  const types = new Set<PostLoginFactorType>();
  for (const method of methods) {
    const type = METHOD_FACTOR_TYPES[method];
    if (type) types.add(type);
  }
  return [...types];
}

/** `pwd` for a first factor, `mfa` for a second, at the recorded `auth_time`. */
function recordedMethods(recorded: { amr: readonly string[]; authTime: number }) {
  const methods: { name: string; at: number }[] = [];
  if (recorded.amr.includes('pwd')) methods.push({ name: 'pwd', at: recorded.authTime });
  if (recorded.amr.includes('mfa')) methods.push({ name: 'mfa', at: recorded.authTime });
  return methods;
}

/** Auth0 names the first factor `pwd` and a second factor `mfa` in `event.authentication.methods`. */
function amrName(method: MethodName): string {
  if (method === 'password') return 'pwd';
  if (method === 'passkey') return 'passkey';
  return 'mfa';
}

function words(value: unknown): string[] {
  return typeof value === 'string' ? value.split(' ').filter(Boolean) : [];
}

function stringParams(params: Readonly<Record<string, unknown>>): Record<string, string> {
  const query: Record<string, string> = {};
  for (const [name, value] of Object.entries(params)) if (typeof value === 'string') query[name] = value;
  return query;
}
