import { randomBytes } from 'node:crypto';
import { deleteChunkedCookie, readChunkedCookie, writeChunkedCookie } from './chunked-cookie.ts';
import { type CookieAttributes, readCookies } from './cookies.ts';
import { type RpSession, toRpSession } from './rp-session.ts';
import type { Sealer } from './sealed-value.ts';
import type { SessionStore } from './session-store.ts';

/**
 * Keeps the session in an encrypted cookie (chunked when large), or — with a {@link SessionStore} —
 * keeps it on the server and only its encrypted id in the cookie.
 */
export class SessionCookie {
  readonly #sealer: Sealer;
  readonly #store: SessionStore | undefined;
  readonly #name: string;
  readonly #secure: boolean;
  readonly #clock: () => number;

  constructor(options: {
    sealer: Sealer;
    store?: SessionStore;
    name: string;
    secure: boolean;
    clock: () => number;
  }) {
    this.#sealer = options.sealer;
    this.#store = options.store;
    this.#name = options.name;
    this.#secure = options.secure;
    this.#clock = options.clock;
  }

  #attributes(maxAge: number): CookieAttributes {
    return { path: '/', maxAge, secure: this.#secure, sameSite: 'Lax' };
  }

  async read(request: Request): Promise<RpSession | undefined> {
    const sealed = readChunkedCookie(readCookies(request), this.#name);
    if (sealed === undefined) return undefined;
    const now = this.#clock();
    const opened = await this.#sealer.open(sealed, now);
    if (opened === undefined) return undefined;
    let session: RpSession | undefined;
    if (this.#store) {
      session = typeof opened.id === 'string' ? await this.#store.get(opened.id) : undefined;
    } else {
      session = toRpSession(opened.session);
    }
    return session && session.expiresAt > now ? session : undefined;
  }

  /** `Set-Cookie` values storing `session`; with a store, under a new id (the old one is destroyed). */
  async write(request: Request, session: RpSession): Promise<string[]> {
    const cookies = readCookies(request);
    const maxAge = Math.max(0, session.expiresAt - this.#clock());
    let value: Record<string, unknown>;
    if (this.#store) {
      await this.#destroyStored(cookies);
      const id = randomBytes(32).toString('base64url');
      await this.#store.set(id, session, session.expiresAt);
      value = { id };
    } else {
      value = { session };
    }
    const sealed = await this.#sealer.seal(value, session.expiresAt);
    return writeChunkedCookie(cookies, this.#name, sealed, this.#attributes(maxAge));
  }

  /** `Set-Cookie` values ending the session (and removing it from the store). */
  async clear(request: Request): Promise<string[]> {
    const cookies = readCookies(request);
    await this.#destroyStored(cookies);
    return deleteChunkedCookie(cookies, this.#name, this.#attributes(0));
  }

  async #destroyStored(cookies: ReadonlyMap<string, string>): Promise<void> {
    if (!this.#store) return;
    const sealed = readChunkedCookie(cookies, this.#name);
    const opened = sealed === undefined ? undefined : await this.#sealer.open(sealed, this.#clock());
    if (opened && typeof opened.id === 'string') await this.#store.destroy(opened.id);
  }
}
