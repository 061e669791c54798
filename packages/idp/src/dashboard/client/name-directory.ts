import { ApiError } from './api-error.ts';
import type { ClientResource, UserResource } from './api-types.ts';
import type { ManagementApi } from './management-api.ts';

/** What the directory knows of an id: the resource, `null` when the API says it does not exist (404). */
type Known<T> = T | null;

/**
 * The people and applications behind the ids the API returns (audit events, executions), looked up
 * once per tab with `GET /users/{id}` and `GET /clients/{id}` and kept: a page of events asks for each
 * id it has not seen yet, all at once, and then renders from memory. Usernames and client ids never
 * change, so the kept answers cannot go stale in a way that misleads; a display name may lag until
 * the next page load. A lookup that fails for another reason than 404 (a network error, an expired
 * token) is not kept, and the page shows the bare id. Lookups go straight to the API, never through
 * a sign-in redirect: the page's own load takes care of that.
 */
export class NameDirectory {
  readonly #api: ManagementApi;
  readonly #users = new Map<string, Known<UserResource>>();
  readonly #clients = new Map<string, Known<ClientResource>>();
  readonly #inFlight = new Map<string, Promise<void>>();

  constructor(api: ManagementApi) {
    this.#api = api;
  }

  /** Keeps a user the page already has (the operator, the user of a user page). */
  rememberUser(user: UserResource): void {
    this.#users.set(user.id, user);
  }

  /** Keeps applications the page already has (the applications list). */
  rememberClients(clients: readonly ClientResource[]): void {
    for (const client of clients) this.#clients.set(client.client_id, client);
  }

  /** The user with that id: the resource, `null` when there is none, undefined when not looked up. */
  user(id: string): Known<UserResource> | undefined {
    return this.#users.get(id);
  }

  /** The application with that client id, as `user` does for people. */
  client(id: string): Known<ClientResource> | undefined {
    return this.#clients.get(id);
  }

  /** Looks up, in parallel, every id not known yet; resolves when all have answered. Never rejects. */
  async lookUp(ids: { users?: Iterable<string>; clients?: Iterable<string> }): Promise<void> {
    const users = new Set(ids.users ?? []);
    const clients = new Set(ids.clients ?? []);
    await Promise.all([
      ...[...users].map((id) => this.#lookUpOnce(`user:${id}`, this.#users, id, `/users/`)),
      ...[...clients].map((id) => this.#lookUpOnce(`client:${id}`, this.#clients, id, `/clients/`)),
    ]);
  }

  #lookUpOnce<T>(key: string, known: Map<string, Known<T>>, id: string, collection: string): Promise<void> {
    if (known.has(id)) return Promise.resolve();
    let lookup = this.#inFlight.get(key);
    if (!lookup) {
      lookup = this.#api
        .send<T>({ method: 'GET', path: `${collection}${encodeURIComponent(id)}` })
        .then(
          (resource) => void known.set(id, resource),
          (error: unknown) => {
            if (error instanceof ApiError && error.status === 404) known.set(id, null);
          },
        )
        .finally(() => this.#inFlight.delete(key));
      this.#inFlight.set(key, lookup);
    }
    return lookup;
  }
}
