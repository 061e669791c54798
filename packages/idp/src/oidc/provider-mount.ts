import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';

type ProviderHandler = ReturnType<Provider['callback']>;

/**
 * The oidc-provider instance that serves the protocol endpoints now. oidc-provider reads its signing
 * keys once, when it is constructed, so a key rotation builds a new instance and `swap`s it in:
 * requests that arrive afterwards go to the new one, requests under way finish on the one they
 * started on. Every instance shares the store (oidc-provider's adapter) and the cookie keys, so
 * sessions, interactions and grants carry over from one to the next.
 */
export class ProviderMount {
  #provider: Provider;
  #handler: ProviderHandler;
  readonly #preparations: ((provider: Provider) => void)[] = [];

  constructor(provider: Provider) {
    this.#provider = provider;
    this.#handler = provider.callback();
  }

  /** The instance new requests go to. */
  get current(): Provider {
    return this.#provider;
  }

  /**
   * Runs `prepare` (event listeners, middleware) on the current instance now and on every instance
   * swapped in later.
   */
  prepareEach(prepare: (provider: Provider) => void): void {
    this.#preparations.push(prepare);
    prepare(this.#provider);
    // Koa composes its middleware when the handler is made: make it again with what was added.
    this.#handler = this.#provider.callback();
  }

  /** Sends the requests that arrive from now on to `next`. */
  swap(next: Provider): void {
    for (const prepare of this.#preparations) prepare(next);
    this.#provider = next;
    this.#handler = next.callback();
  }

  /** Hands one request to the current instance. */
  handle(request: IncomingMessage, response: ServerResponse): void {
    this.#handler(request, response);
  }
}
