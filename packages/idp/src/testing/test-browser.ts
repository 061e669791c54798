/**
 * A browser reduced to what a login needs: a cookie jar, manual redirects, and form posts. It stops
 * at the first redirect that leaves the provider (the application's callback) and returns it.
 */
export class TestBrowser {
  readonly #cookies = new Map<string, string>();
  readonly origin: string;
  readonly #headers: Record<string, string>;

  /** `headers` go with every request, e.g. the `X-Forwarded-For` a proxy in front would add. */
  constructor(origin: string, headers: Record<string, string> = {}) {
    this.origin = origin;
    this.#headers = headers;
  }

  cookie(name: string): string | undefined {
    return this.#cookies.get(name);
  }

  /** Every cookie name in the jar. */
  cookieNames(): string[] {
    return [...this.#cookies.keys()];
  }

  /** Puts a cookie in the jar, as a copied or forged cookie would arrive. */
  setCookie(name: string, value: string): void {
    this.#cookies.set(name, value);
  }

  async request(
    url: string,
    init: { method?: string; form?: Record<string, string>; headers?: Record<string, string> } = {},
  ): Promise<Response> {
    const headers = new Headers({ ...this.#headers, ...init.headers });
    const jar = [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    if (jar) headers.set('cookie', jar);
    let body: string | undefined;
    if (init.form) {
      headers.set('content-type', 'application/x-www-form-urlencoded');
      body = new URLSearchParams(init.form).toString();
    }
    const response = await fetch(new URL(url, this.origin), {
      method: init.method ?? (init.form ? 'POST' : 'GET'),
      headers,
      ...(body === undefined ? {} : { body }),
      redirect: 'manual',
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const index = pair.indexOf('=');
      const name = pair.slice(0, index).trim();
      const value = pair.slice(index + 1).trim();
      if (/expires=Thu, 01 Jan 1970/i.test(line) || value === '') this.#cookies.delete(name);
      else this.#cookies.set(name, value);
    }
    return response;
  }

  /**
   * Follows redirects within the provider. Returns the page it lands on, or the URL of the redirect
   * that leaves the provider.
   */
  async navigate(
    url: string,
    init: { form?: Record<string, string> } = {},
  ): Promise<{ page: Response; html: string; url: string } | { left: URL }> {
    let response = await this.request(url, init);
    let current = new URL(url, this.origin);
    for (let hops = 0; hops < 20; hops += 1) {
      const location = response.headers.get('location');
      if (response.status < 300 || response.status >= 400 || !location) {
        return { page: response, html: await response.text(), url: current.href };
      }
      current = new URL(location, current);
      if (current.origin !== this.origin) return { left: current };
      response = await this.request(current.href);
    }
    throw new Error('too many redirects');
  }
}

/** Reads the value of a named hidden input from a page. */
export function hiddenField(html: string, name: string): string {
  const match =
    new RegExp(`name="${name}"[^>]*value="([^"]*)"`).exec(html) ??
    new RegExp(`value="([^"]*)"[^>]*name="${name}"`).exec(html);
  if (!match?.[1]) throw new Error(`no hidden field ${name} on the page`);
  return match[1];
}

/** The form action that ends with the given suffix (e.g. "/password"). */
export function formAction(html: string, suffix: string): string {
  const match = new RegExp(`action="([^"]*${suffix})"`).exec(html);
  if (!match?.[1]) throw new Error(`no form posting to *${suffix} on the page`);
  return match[1].replaceAll('&amp;', '&');
}
