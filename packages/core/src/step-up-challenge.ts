/**
 * The `error` code of RFC 9470 section 3: the access token is valid, but the authentication behind
 * it is too weak or too old for the resource.
 *
 * @example
 * ```ts
 * formatBearerChallenge({ error: INSUFFICIENT_USER_AUTHENTICATION, acr_values: ACR_MULTI_FACTOR });
 * ```
 */
export const INSUFFICIENT_USER_AUTHENTICATION = 'insufficient_user_authentication';

/**
 * The parameters of one `Bearer` challenge in a `WWW-Authenticate` header: those of RFC 6750
 * section 3 and the two RFC 9470 section 3 adds. Unknown parameters are not kept.
 *
 * @example
 * ```ts
 * const challenge: BearerChallenge = {
 *   error: 'insufficient_user_authentication',
 *   error_description: 'A different authentication level is required',
 *   acr_values: ACR_MULTI_FACTOR,
 *   max_age: 300,
 * };
 * ```
 */
export interface BearerChallenge {
  realm?: string;
  /** `invalid_request`, `invalid_token`, `insufficient_scope` (RFC 6750) or `insufficient_user_authentication`. */
  error?: string;
  error_description?: string;
  error_uri?: string;
  /** Space-separated scopes the resource needs (RFC 6750 3). */
  scope?: string;
  /** Space-separated acceptable `acr` values, in order of preference (RFC 9470 3). */
  acr_values?: string;
  /** The maximum age, in seconds, of the authentication the resource accepts (RFC 9470 3). */
  max_age?: number;
}

const STRING_PARAMS = ['realm', 'error', 'error_description', 'error_uri', 'scope', 'acr_values'] as const;
type StringParam = (typeof STRING_PARAMS)[number];

// RFC 6750 3: error, error_description and error_uri take %x20-21 / %x23-5B / %x5D-7E; so do the
// others here (a space-separated list of such characters), which keeps every value free of `"` and `\`.
const SAFE_VALUE = /^[\x20\x21\x23-\x5B\x5D-\x7E]*$/;
// RFC 9110 5.6.2.
const TCHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*/;

/**
 * Formats a `Bearer` challenge for a `WWW-Authenticate` header (RFC 6750 3, RFC 9470 3): string
 * parameters as quoted strings, `max_age` as a number. Throws a `TypeError` for a value with a
 * double quote, a backslash or a control character, or a `max_age` that is not a non-negative integer.
 *
 * @example
 * ```ts
 * formatBearerChallenge({ error: 'insufficient_user_authentication', acr_values: 'urn:a urn:b', max_age: 5 });
 * // 'Bearer error="insufficient_user_authentication", acr_values="urn:a urn:b", max_age=5'
 * ```
 */
export function formatBearerChallenge(challenge: BearerChallenge): string {
  const params: string[] = [];
  for (const name of STRING_PARAMS) {
    const value = challenge[name];
    if (value === undefined) continue;
    if (typeof value !== 'string' || !SAFE_VALUE.test(value)) {
      throw new TypeError(
        `formatBearerChallenge: ${name} must be a string of printable ASCII without " or \\`,
      );
    }
    params.push(`${name}="${value}"`);
  }
  if (challenge.max_age !== undefined) {
    if (!Number.isSafeInteger(challenge.max_age) || challenge.max_age < 0) {
      throw new TypeError('formatBearerChallenge: max_age must be a non-negative integer number of seconds');
    }
    params.push(`max_age=${challenge.max_age}`);
  }
  return params.length === 0 ? 'Bearer' : `Bearer ${params.join(', ')}`;
}

class Cursor {
  index = 0;
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
  get done(): boolean {
    return this.index >= this.text.length;
  }
  peek(): string {
    return this.text[this.index] ?? '';
  }
  skip(characters: string): void {
    while (!this.done && characters.includes(this.peek())) this.index++;
  }
  token(): string {
    const start = this.index;
    while (!this.done && TCHAR.test(this.peek())) this.index++;
    return this.text.slice(start, this.index);
  }
  quotedString(): string | undefined {
    this.index++; // the opening quote
    let value = '';
    while (!this.done) {
      const character = this.peek();
      this.index++;
      if (character === '"') return value;
      if (character === '\\') {
        if (this.done) return undefined;
        value += this.peek();
        this.index++;
      } else {
        value += character;
      }
    }
    return undefined; // unterminated
  }
}

interface RawChallenge {
  scheme: string;
  params: Map<string, string>;
}

// RFC 9110 11.6.1: challenge = auth-scheme [ 1*SP ( token68 / #auth-param ) ], several per header.
function parseChallenges(header: string): RawChallenge[] | undefined {
  const cursor = new Cursor(header);
  const challenges: RawChallenge[] = [];
  let current: RawChallenge | undefined;
  while (true) {
    cursor.skip(' \t,');
    if (cursor.done) return challenges;
    const start = cursor.index;
    const name = cursor.token();
    if (name === '') return undefined;
    cursor.skip(' \t');
    if (cursor.peek() === '=' && current !== undefined) {
      cursor.index++;
      cursor.skip(' \t');
      const value = cursor.peek() === '"' ? cursor.quotedString() : cursor.token();
      const key = name.toLowerCase();
      // RFC 9110 11.2: a parameter name occurs once per challenge; a repeated one makes it ambiguous.
      if (value === undefined || current.params.has(key)) return undefined;
      current.params.set(key, value);
      continue;
    }
    if (cursor.peek() === '=') return undefined; // a parameter before any scheme
    current = { scheme: name.toLowerCase(), params: new Map() };
    challenges.push(current);
    const token68 = TOKEN68.exec(header.slice(cursor.index));
    if (token68 && cursor.index > start + name.length) {
      const after = cursor.index + token68[0].length;
      const rest = header.slice(after).trimStart();
      if (rest === '' || rest.startsWith(',')) cursor.index = after; // a token68 credential: not for Bearer
    }
  }
}

/**
 * Reads the `Bearer` challenges of a `WWW-Authenticate` header value (several challenges, and several
 * headers joined with commas, are allowed; parameter names are case-insensitive). A malformed header,
 * including one that repeats a parameter, gives no challenges. A `max_age` that is not a non-negative
 * integer is left out.
 *
 * @example
 * ```ts
 * parseBearerChallenges('Bearer error="insufficient_user_authentication", acr_values="urn:a", max_age=5');
 * // [{ error: 'insufficient_user_authentication', acr_values: 'urn:a', max_age: 5 }]
 * ```
 */
export function parseBearerChallenges(header: string): BearerChallenge[] {
  if (typeof header !== 'string') throw new TypeError('parseBearerChallenges: header must be a string');
  const challenges = parseChallenges(header) ?? [];
  return challenges
    .filter((challenge) => challenge.scheme === 'bearer')
    .map(({ params }) => {
      const challenge: BearerChallenge = {};
      for (const name of STRING_PARAMS) {
        const value = params.get(name);
        if (value !== undefined) challenge[name as StringParam] = value;
      }
      const maxAge = params.get('max_age');
      if (maxAge !== undefined && /^\d{1,15}$/.test(maxAge)) challenge.max_age = Number(maxAge);
      return challenge;
    });
}
