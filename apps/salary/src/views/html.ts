/**
 * Markup that may go into a page as is. Only `html` and `raw` create it, so every string that reaches
 * a page was either escaped or written here.
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
export type HtmlValue = SafeHtml | readonly SafeHtml[] | string | number | null | undefined | false;

const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ENTITIES[char] ?? char);
}

/** Marks markup written in this app as safe. Never pass anything a person or a provider sent. */
export function raw(trusted: string): SafeHtml {
  return new SafeHtml(trusted);
}

function renderValue(value: unknown): string {
  if (value instanceof SafeHtml) return value.toString();
  if (value === null || value === undefined || value === false) return '';
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
