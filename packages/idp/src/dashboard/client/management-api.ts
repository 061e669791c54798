import { readApiError } from './api-error.ts';

/** One call of the management API, kept as data so that it can be repeated after a sign-in. */
export interface ApiRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Below the API's base, e.g. `/clients/abc/secret`. */
  path: string;
  query?: Record<string, string | undefined>;
  body?: unknown;
}

/**
 * The management API over `fetch`: bearer token, JSON in and out, errors as `ApiError`. It knows
 * nothing of signing in; `OperationRunner` does.
 */
export class ManagementApi {
  readonly #base: string;
  readonly #token: () => string | undefined;

  constructor(base: string, token: () => string | undefined) {
    this.#base = base;
    this.#token = token;
  }

  /** The URL of a request (for links such as the JSON lines export). */
  url(request: Pick<ApiRequest, 'path' | 'query'>): URL {
    const url = new URL(`${this.#base}${request.path}`);
    for (const [name, value] of Object.entries(request.query ?? {})) {
      if (value !== undefined && value !== '') url.searchParams.set(name, value);
    }
    return url;
  }

  /** Sends the request; resolves with the parsed body (undefined for 204) or rejects with `ApiError`. */
  async send<T>(request: ApiRequest): Promise<T> {
    const headers = new Headers({ accept: 'application/json' });
    const token = this.#token();
    if (token) headers.set('authorization', `Bearer ${token}`);
    if (request.body !== undefined) headers.set('content-type', 'application/json');
    const response = await fetch(this.url(request), {
      method: request.method,
      headers,
      ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
      cache: 'no-store',
    });
    if (!response.ok) throw await readApiError(response);
    if (response.status === 204) return undefined as T;
    const type = response.headers.get('content-type') ?? '';
    return (type.includes('json') ? await response.json() : await response.text()) as T;
  }
}
