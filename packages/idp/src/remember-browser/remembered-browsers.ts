import type { UsersRepository } from '../store/users.ts';
import {
  openRememberedBrowser,
  rememberedBrowserCookieName,
  sealRememberedBrowser,
} from './remembered-browser-cookie.ts';

/** Reads a cookie's raw value by name, whatever the framework (Fastify or oidc-provider's Koa). */
export type CookieReader = (name: string) => string | undefined;

/** What to set on the response to remember this browser for a user. */
export interface RememberingCookie {
  name: string;
  value: string;
  maxAge: number;
}

/**
 * "Remember this browser": after a second factor, a signed per-user cookie lets this browser skip the
 * second factor that an Action demanded with `allowRememberBrowser: true`, for `days` days. It never
 * adds a proof: a remembered browser's tokens say only what the session proved (ARCHITECTURE.md,
 * invariant 1). Raising the user's epoch (a factor removed, "forget remembered browsers") voids every
 * cookie issued before.
 */
export class RememberedBrowsers {
  readonly #users: Pick<UsersRepository, 'findById'>;
  readonly #keys: readonly string[];
  readonly #settings: { readonly days: number };

  constructor(options: {
    users: Pick<UsersRepository, 'findById'>;
    cookieKeys: readonly string[];
    /** Read at each use: an operator may change the period while the provider runs. */
    settings: { readonly days: number };
  }) {
    this.#users = options.users;
    this.#keys = options.cookieKeys;
    this.#settings = options.settings;
  }

  /** False when the period is 0: nothing is offered and no cookie counts. */
  get enabled(): boolean {
    return this.#settings.days > 0;
  }

  get days(): number {
    return this.#settings.days;
  }

  /** True when this browser holds a valid, unexpired cookie for this user at the user's current epoch. */
  async isRemembered(readCookie: CookieReader, userId: string, now: number): Promise<boolean> {
    if (!this.enabled) return false;
    const remembered = openRememberedBrowser(readCookie(rememberedBrowserCookieName(userId)), this.#keys);
    if (!remembered || remembered.userId !== userId || remembered.expiresAt <= now) return false;
    const user = await this.#users.findById(userId);
    return user !== undefined && user.rememberedBrowsersEpoch === remembered.epoch;
  }

  /** The cookie that remembers this browser for the user from `now`; undefined for an unknown user. */
  async cookieFor(userId: string, now: number): Promise<RememberingCookie | undefined> {
    const user = await this.#users.findById(userId);
    if (!user || !this.enabled) return undefined;
    const maxAge = this.days * 24 * 3600;
    return {
      name: rememberedBrowserCookieName(userId),
      value: sealRememberedBrowser(
        { userId, epoch: user.rememberedBrowsersEpoch, expiresAt: now + maxAge },
        this.#keys,
      ),
      maxAge,
    };
  }
}
