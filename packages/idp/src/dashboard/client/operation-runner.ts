import { ApiError } from './api-error.ts';
import type { DashboardSettings } from './dashboard-settings.ts';
import type { ApiRequest, ManagementApi } from './management-api.ts';
import { type PendingOperation, savePendingOperation } from './pending-operation.ts';
import { redirectToSignIn } from './sign-in.ts';

/** What a change came to, handed to the page that asked for it (also after a sign-in in between). */
export type OperationOutcome =
  | { operation: PendingOperation; ok: true; value: unknown }
  | { operation: PendingOperation; ok: false; error: ApiError };

/** Which sign-in the page load follows, if any: it decides whether another 401 may redirect again. */
export type RecentSignIn = 'none' | 'plain' | 'fresh';

/**
 * Sends the dashboard's API calls and handles the one refusal the operator can fix by signing in:
 * a 401. An expired token signs in again; `insufficient_user_authentication` signs in again with the
 * challenge's `max_age` (RFC 9470), so the provider asks for MFA anew. A change is saved first as a
 * `PendingOperation` and sent again when the browser comes back. The dashboard never loops through the
 * provider: right after a sign-in, a 401 leads to one more only when it asks for a fresh authentication
 * and the sign-in just made did not (an expired token renewed silently, then a deploy needing MFA).
 */
export class OperationRunner {
  readonly #api: ManagementApi;
  readonly #settings: DashboardSettings;
  #recentSignIn: RecentSignIn;

  constructor(api: ManagementApi, settings: DashboardSettings, options: { recentSignIn: RecentSignIn }) {
    this.#api = api;
    this.#settings = settings;
    this.#recentSignIn = options.recentSignIn;
  }

  get api(): ManagementApi {
    return this.#api;
  }

  /** Reads for a page; after a sign-in the page is shown again from scratch. */
  async load<T>(request: ApiRequest): Promise<T> {
    return this.#send<T>(request, undefined);
  }

  /**
   * A change the operator asked for, sent again after a sign-in if the API asks for one; then the
   * dashboard shows `route` (default: the current one) with the outcome.
   */
  async perform<T>(operation: Omit<PendingOperation, 'route'> & { route?: string }): Promise<T> {
    return this.#send<T>(operation.request, {
      ...operation,
      route: operation.route ?? (window.location.hash || '#/'),
    });
  }

  /** Sends a saved operation again after the sign-in it waited for. */
  async resume(operation: PendingOperation): Promise<OperationOutcome> {
    try {
      // Kept again if this call, too, sends the browser to the provider.
      return { operation, ok: true, value: await this.#send(operation.request, operation) };
    } catch (error) {
      if (error instanceof ApiError) return { operation, ok: false, error };
      throw error;
    }
  }

  async #send<T>(request: ApiRequest, operation: PendingOperation | undefined): Promise<T> {
    try {
      const value = await this.#api.send<T>(request);
      this.#recentSignIn = 'none';
      return value;
    } catch (error) {
      if (!(error instanceof ApiError) || !error.needsSignIn) throw error;
      if (this.#recentSignIn === 'fresh') throw error;
      if (this.#recentSignIn === 'plain' && error.maxAge === undefined) throw error;
      if (operation) savePendingOperation(operation);
      return redirectToSignIn(this.#settings, {
        returnTo: operation?.route ?? (window.location.hash || '#/'),
        ...(error.maxAge === undefined ? {} : { maxAge: error.maxAge }),
      });
    }
  }
}
