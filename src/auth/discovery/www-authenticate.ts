/**
 * A tolerant parser of the `WWW-Authenticate` response header (RFC 9110 §11.6.1, the syntax of RFC 7235 §4.1):
 *
 * ```
 * WWW-Authenticate = #challenge
 * challenge        = auth-scheme [ 1*SP ( token68 / #auth-param ) ]
 * auth-param       = token BWS "=" BWS ( token / quoted-string )
 * token68          = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
 * ```
 *
 * Commas separate both challenges and the parameters of one challenge; an element after a comma that reads
 * `token BWS "="` is a parameter of the current challenge, anything else starts a new challenge. Several
 * header lines joined by `fetch` (with `, `) parse as one list. Empty list elements are skipped
 * (RFC 9110 §5.6.1.2). Malformed input never throws: what can be parsed is returned.
 */

/** One challenge of a `WWW-Authenticate` header (RFC 9110 §11.6.1). */
export interface AuthChallenge {
  /** The auth-scheme, lowercased (schemes are case-insensitive, RFC 9110 §11.1). */
  scheme: string;
  /** Auth-params by lowercased name, values unquoted and unescaped; the first of duplicates wins. */
  params: Record<string, string>;
  /** The token68 form of credentials data, when the challenge carries one instead of params. */
  token68?: string;
}

/** What a `Bearer` challenge says (RFC 6750 §3, RFC 9728 §5.1). */
export interface BearerChallenge {
  /** RFC 6750 §3.1 error code, e.g. `invalid_token` or `insufficient_scope`. */
  error?: string;
  /** RFC 6750 §3 `error_description` (server text: quote it before showing). */
  errorDescription?: string;
  /** RFC 6750 §3 `scope`, split on spaces. */
  scope?: string[];
  /** RFC 9728 §5.1 `resource_metadata`: the URL of the protected resource metadata. */
  resourceMetadata?: string;
  /** RFC 6750 §3 `realm`. */
  realm?: string;
}

const TCHAR = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]$/;
const T68CHAR = /^[A-Za-z0-9\-._~+/]$/;

function isTchar(c: string | undefined): boolean {
  return c !== undefined && TCHAR.test(c);
}

function isWhitespace(c: string | undefined): boolean {
  return c === ' ' || c === '\t';
}

class Cursor {
  pos = 0;
  constructor(readonly text: string) {}

  get done(): boolean {
    return this.pos >= this.text.length;
  }

  peek(offset = 0): string | undefined {
    return this.text[this.pos + offset];
  }

  skipWhitespace(): void {
    while (isWhitespace(this.peek())) this.pos++;
  }

  token(): string {
    const start = this.pos;
    while (isTchar(this.peek())) this.pos++;
    return this.text.slice(start, this.pos);
  }

  /** A quoted-string at the cursor (which is on `"`): unescaped value; an unterminated one runs to the end. */
  quoted(): string {
    this.pos++; // opening quote
    let value = '';
    while (!this.done) {
      const c = this.text[this.pos++]!;
      if (c === '"') return value;
      if (c === '\\' && !this.done) value += this.text[this.pos++];
      else value += c;
    }
    return value;
  }

  /** Skip to just before the next comma outside a quoted-string (error recovery). */
  skipToComma(): void {
    while (!this.done && this.peek() !== ',') {
      if (this.peek() === '"') this.quoted();
      else this.pos++;
    }
  }

  /** Whether the cursor is at `token BWS "="` that is not token68 padding, i.e. the start of an auth-param. */
  atAuthParam(): boolean {
    let i = this.pos;
    const start = i;
    while (isTchar(this.text[i])) i++;
    if (i === start) return false;
    while (isWhitespace(this.text[i])) i++;
    return this.text[i] === '=';
  }

  /** A token68 at the cursor when it is followed only by whitespace and then a comma or the end. */
  token68(): string | undefined {
    let i = this.pos;
    const start = i;
    while (T68CHAR.test(this.text[i] ?? '')) i++;
    if (i === start) return undefined;
    while (this.text[i] === '=') i++;
    const end = i;
    while (isWhitespace(this.text[i])) i++;
    if (i < this.text.length && this.text[i] !== ',') return undefined;
    this.pos = end;
    return this.text.slice(start, end);
  }
}

/**
 * Parse every challenge of a `WWW-Authenticate` header value (RFC 9110 §11.6.1). Never throws; garbage is
 * skipped up to the next comma.
 *
 * @example parseWwwAuthenticate('Bearer realm="mcp", error="invalid_token", Basic')
 *   // [{ scheme: 'bearer', params: { realm: 'mcp', error: 'invalid_token' } }, { scheme: 'basic', params: {} }]
 */
export function parseWwwAuthenticate(header: string): AuthChallenge[] {
  const challenges: AuthChallenge[] = [];
  if (typeof header !== 'string') return challenges;
  const cur = new Cursor(header);
  while (!cur.done) {
    const c = cur.peek();
    if (c === ',' || isWhitespace(c)) {
      cur.pos++;
      continue;
    }
    const scheme = cur.token();
    if (scheme === '') {
      // not a scheme: skip this list element (skipToComma always advances here)
      cur.skipToComma();
      continue;
    }
    const challenge = readChallenge(cur, scheme.toLowerCase());
    if (challenge !== undefined) challenges.push(challenge);
  }
  return challenges;
}

function readChallenge(cur: Cursor, scheme: string): AuthChallenge | undefined {
  const entries = new Map<string, string>();
  const challenge = (token68?: string): AuthChallenge => {
    const result: AuthChallenge = { scheme, params: Object.fromEntries(entries) };
    if (token68 !== undefined) result.token68 = token68;
    return result;
  };

  const afterScheme = cur.peek();
  if (afterScheme === undefined) return challenge();
  if (afterScheme !== ',' && !isWhitespace(afterScheme)) {
    // e.g. `Bearer"x"` or `Bearer=x`: not a challenge; skip the element
    cur.skipToComma();
    return undefined;
  }
  cur.skipWhitespace();
  if (cur.done) return challenge();
  if (cur.peek() !== ',') {
    const token68 = cur.token68();
    if (token68 !== undefined) return challenge(token68);
  }
  // From here on, an auth-param list; it may start with empty elements (`Bearer , realm="x"`, RFC 9110
  // §5.6.1.2), and a comma right after the scheme is read the same way, leniently.

  // #auth-param, separated by commas; stop at an element that is not an auth-param (a new challenge)
  for (;;) {
    cur.skipWhitespace();
    if (cur.done) break;
    if (cur.peek() === ',') {
      // look past empty elements for the next one
      const save = cur.pos;
      while (cur.peek() === ',' || isWhitespace(cur.peek())) cur.pos++;
      if (cur.done) break;
      if (!cur.atAuthParam()) {
        cur.pos = save;
        break;
      }
      continue;
    }
    if (!cur.atAuthParam()) {
      cur.skipToComma();
      continue;
    }
    const name = cur.token().toLowerCase();
    cur.skipWhitespace();
    cur.pos++; // '='
    cur.skipWhitespace();
    let value: string;
    if (cur.peek() === '"') value = cur.quoted();
    else value = cur.token();
    if (!entries.has(name)) entries.set(name, value);
    cur.skipWhitespace();
    if (!cur.done && cur.peek() !== ',') cur.skipToComma();
  }
  return challenge();
}

/**
 * The `Bearer` challenge of a response (RFC 6750 §3), with the RFC 9728 §5.1 `resource_metadata` parameter,
 * or `undefined` when the response has no `WWW-Authenticate` header or no Bearer challenge in it. Several
 * header lines (joined by `fetch`) are read as one list; the first Bearer challenge is used.
 */
export function bearerChallengeFrom(response: Response): BearerChallenge | undefined {
  const header = response.headers.get('www-authenticate');
  if (header === null) return undefined;
  const bearer = parseWwwAuthenticate(header).find((c) => c.scheme === 'bearer');
  if (bearer === undefined) return undefined;
  return bearerChallengeOf(bearer);
}

/** The RFC 6750 §3 view of an already parsed `Bearer` challenge. */
export function bearerChallengeOf(challenge: AuthChallenge): BearerChallenge {
  const params = challenge.params;
  const get = (name: string): string | undefined => (Object.hasOwn(params, name) ? params[name] : undefined);
  const result: BearerChallenge = {};
  const error = get('error');
  if (error !== undefined) result.error = error;
  const description = get('error_description');
  if (description !== undefined) result.errorDescription = description;
  const scope = get('scope');
  if (scope !== undefined) result.scope = scope.split(/[ \t]+/).filter((s) => s !== '');
  const resourceMetadata = get('resource_metadata');
  if (resourceMetadata !== undefined && resourceMetadata !== '') result.resourceMetadata = resourceMetadata;
  const realm = get('realm');
  if (realm !== undefined) result.realm = realm;
  return result;
}
