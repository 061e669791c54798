/**
 * Markup that may be inserted into a document as is. Only `html` and `raw` should create it, so that
 * every string that reaches a page has either been escaped or was written by us.
 */
export class SafeHtml {
  readonly #markup: string;

  constructor(markup: string) {
    this.#markup = markup;
  }

  toString(): string {
    return this.#markup;
  }
}

/** What an `html` template accepts: text is escaped, `SafeHtml` is kept, nothing renders as empty. */
export type HtmlValue = SafeHtml | readonly SafeHtml[] | string | number | null | undefined;

const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for use in element content and in quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ENTITIES[char] ?? char);
}

/** Marks markup we produced ourselves (or a library we trust produced) as safe. Never pass user input. */
export function raw(trusted: string): SafeHtml {
  return new SafeHtml(trusted);
}

function renderValue(value: unknown): string {
  if (value instanceof SafeHtml) return value.toString();
  if (value === null || value === undefined) return '';
  // Arrays are typed as SafeHtml[], but an item that slipped past the types is still escaped.
  if (Array.isArray(value)) return value.map(renderValue).join('');
  return escapeHtml(String(value));
}

/**
 * Tagged template that escapes every interpolation unless it is `SafeHtml`.
 *
 * @example
 * html`<p>Hello ${name}</p>` // name = '<b>' → '<p>Hello &lt;b&gt;</p>'
 */
export function html(strings: TemplateStringsArray, ...values: readonly HtmlValue[]): SafeHtml {
  let markup = strings[0] ?? '';
  for (const [index, value] of values.entries()) {
    markup += renderValue(value) + (strings[index + 1] ?? '');
  }
  return new SafeHtml(markup);
}
