/**
 * A browser reduced to what sign-in flows need: a cookie jar that follows RFC 6265 host and path
 * scoping (enough for several origins on loopback), redirects followed by hand across origins, form
 * posts, and a record of every URL visited. No JavaScript, no cache.
 */
interface StoredCookie {
  name: string;
  value: string;
  host: string;
  path: string;
}

export interface Page {
  url: string;
  status: number;
  headers: Headers;
  body: string;
}

export class CookieJarBrowser {
  readonly #cookies: StoredCookie[] = [];
  /** Every URL requested, in order, redirects included. */
  readonly visited: string[] = [];

  cookieNames(host: string): string[] {
    return this.#cookies.filter((cookie) => cookie.host === host).map((cookie) => cookie.name);
  }

  #cookieHeader(url: URL): string {
    return this.#cookies
      .filter(
        (cookie) =>
          cookie.host === url.hostname &&
          (url.pathname === cookie.path ||
            url.pathname.startsWith(cookie.path.endsWith('/') ? cookie.path : `${cookie.path}/`)),
      )
      .map((cookie) => `${cookie.name}=${cookie.value}`)
      .join('; ');
  }

  #store(url: URL, lines: string[]): void {
    for (const line of lines) {
      const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
      const index = pair.indexOf('=');
      const name = pair.slice(0, index);
      const value = pair.slice(index + 1);
      let path = url.pathname.replace(/\/[^/]*$/, '') || '/';
      let expired = false;
      for (const attribute of attributes) {
        const [key = '', attributeValue = ''] = attribute.split('=');
        if (key.toLowerCase() === 'path') path = attributeValue;
        if (key.toLowerCase() === 'max-age' && Number(attributeValue) <= 0) expired = true;
      }
      const existing = this.#cookies.findIndex(
        (cookie) => cookie.name === name && cookie.host === url.hostname && cookie.path === path,
      );
      if (existing >= 0) this.#cookies.splice(existing, 1);
      if (!expired) this.#cookies.push({ name, value, host: url.hostname, path });
    }
  }

  /** One request, no redirect followed. */
  async request(
    url: string,
    init: { method?: string; form?: Record<string, string>; headers?: Record<string, string> } = {},
  ): Promise<Page> {
    const target = new URL(url);
    this.visited.push(target.href);
    const headers = new Headers(init.headers);
    const cookie = this.#cookieHeader(target);
    if (cookie) headers.set('cookie', cookie);
    let body: string | undefined;
    if (init.form) {
      headers.set('content-type', 'application/x-www-form-urlencoded');
      body = new URLSearchParams(init.form).toString();
    }
    const response = await fetch(target, {
      method: init.method ?? (init.form ? 'POST' : 'GET'),
      headers,
      ...(body === undefined ? {} : { body }),
      redirect: 'manual',
    });
    this.#store(target, response.headers.getSetCookie());
    return {
      url: target.href,
      status: response.status,
      headers: response.headers,
      body: await response.text(),
    };
  }

  /** Follows redirects (any origin) until a page that is not a redirect. */
  async navigate(
    url: string,
    init: { method?: string; form?: Record<string, string>; headers?: Record<string, string> } = {},
  ): Promise<Page> {
    let page = await this.request(url, init);
    for (let hops = 0; hops < 20; hops++) {
      const location = page.headers.get('location');
      if (page.status < 300 || page.status >= 400 || location === null) return page;
      page = await this.request(new URL(location, page.url).href);
    }
    throw new Error(`too many redirects from ${url}`);
  }

  /** Submits the page's form whose action ends with `actionSuffix`, with its hidden fields and `fields`. */
  async submit(page: Page, actionSuffix: string, fields: Record<string, string> = {}): Promise<Page> {
    for (const match of page.body.matchAll(/<form\b[^>]*>[\s\S]*?<\/form>/g)) {
      const form = match[0];
      const action = /action="([^"]*)"/.exec(form)?.[1]?.replaceAll('&amp;', '&');
      if (action === undefined || !action.endsWith(actionSuffix)) continue;
      const hidden: Record<string, string> = {};
      for (const input of form.matchAll(/<input\b[^>]*type="hidden"[^>]*>/g)) {
        const name = /name="([^"]*)"/.exec(input[0])?.[1];
        const value = /value="([^"]*)"/.exec(input[0])?.[1] ?? '';
        if (name) hidden[name] = value.replaceAll('&amp;', '&');
      }
      return this.navigate(new URL(action, page.url).href, { form: { ...hidden, ...fields } });
    }
    throw new Error(
      `no form with an action ending in ${actionSuffix} on ${page.url}:\n${page.body.slice(0, 2000)}`,
    );
  }
}
