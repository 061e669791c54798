import { randomBytes } from 'node:crypto';
import type { ResolvedPolicy } from '../policy/step-up-policy.ts';
import { readCookies, serializeCookie } from '../session/cookies.ts';
import type { Sealer } from '../session/sealed-value.ts';

/**
 * One login attempt, from the redirect to the provider to the callback: what the callback must
 * check the answer against. Kept in its own encrypted cookie named after `state`, so several tabs
 * can sign in at once without overwriting each other.
 */
export interface LoginTransaction {
  state: string;
  nonce: string;
  codeVerifier: string;
  /** A same-origin path to return to. */
  returnTo: string;
  /** The policy the login was started for (a step-up), checked again at the callback. */
  policy?: ResolvedPolicy;
  /** The `max_age` sent, when one was: `auth_time` is then required (OIDC Core 3.1.2.1). */
  maxAge?: number;
  /** The canonical `authorization_details` of a transaction-bound step-up, checked at the callback. */
  authorizationDetails?: string;
  createdAt: number;
}

/** `state` as this package makes it: 32 random bytes, base64url. Anything else is not a transaction. */
const STATE = /^[\w-]{43}$/;

export function newRandomValue(): string {
  return randomBytes(32).toString('base64url');
}

/** Reads and writes transaction cookies. */
export class TransactionCookies {
  readonly #sealer: Sealer;
  readonly #prefix: string;
  readonly #path: string;
  readonly #secure: boolean;
  readonly #ttl: number;
  readonly #clock: () => number;

  constructor(options: {
    sealer: Sealer;
    cookieName: string;
    callbackPath: string;
    secure: boolean;
    ttl: number;
    clock: () => number;
  }) {
    this.#sealer = options.sealer;
    this.#prefix = `${options.cookieName}.tx.`;
    this.#path = options.callbackPath;
    this.#secure = options.secure;
    this.#ttl = options.ttl;
    this.#clock = options.clock;
  }

  get ttl(): number {
    return this.#ttl;
  }

  /** The `Set-Cookie` value holding `transaction`; sent only to the callback path. */
  async create(transaction: LoginTransaction): Promise<string> {
    const sealed = await this.#sealer.seal(
      transaction as unknown as Record<string, unknown>,
      transaction.createdAt + this.#ttl,
    );
    return serializeCookie(`${this.#prefix}${transaction.state}`, sealed, {
      path: this.#path,
      maxAge: this.#ttl,
      secure: this.#secure,
      // Lax: the provider's redirect back is a top-level GET navigation from another site.
      sameSite: 'Lax',
    });
  }

  /** The transaction of `state`, when the request carries its intact, unexpired cookie. */
  async read(request: Request, state: string): Promise<LoginTransaction | undefined> {
    if (!STATE.test(state)) return undefined;
    const sealed = readCookies(request).get(`${this.#prefix}${state}`);
    if (sealed === undefined) return undefined;
    const opened = await this.#sealer.open(sealed, this.#clock());
    // The state inside must be the one in the name: a cookie cannot be moved to another attempt.
    if (opened === undefined || opened.state !== state) return undefined;
    return opened as unknown as LoginTransaction;
  }

  /** The `Set-Cookie` value deleting the transaction of `state`. */
  delete(state: string): string | undefined {
    if (!STATE.test(state)) return undefined;
    return serializeCookie(`${this.#prefix}${state}`, '', {
      path: this.#path,
      maxAge: 0,
      secure: this.#secure,
      sameSite: 'Lax',
    });
  }
}
