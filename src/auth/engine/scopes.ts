/**
 * Scope selection (MCP Authorization 2025-11-25, "Scope Selection Strategy"; step-up per "Step-Up Authorization
 * Flow"): configured scopes win; else the `scope` of the 401 challenge; else every scope of the protected resource
 * metadata's `scopes_supported`; else none (the parameter is omitted). `offline_access` is added only when the
 * authorization server lists it in `scopes_supported` and the client can use refresh tokens.
 */
export function selectScopes(input: {
  configured?: readonly string[] | undefined;
  challenge?: readonly string[] | undefined;
  resourceScopes?: readonly string[] | undefined;
  authorizationServerScopes?: readonly string[] | undefined;
  wantsRefreshToken?: boolean;
}): string[] | undefined {
  let scopes: string[] | undefined;
  if (input.configured && input.configured.length > 0) scopes = [...input.configured];
  else if (input.challenge && input.challenge.length > 0) scopes = [...input.challenge];
  else if (input.resourceScopes && input.resourceScopes.length > 0) scopes = [...input.resourceScopes];
  if (scopes && input.wantsRefreshToken && input.authorizationServerScopes?.includes('offline_access')) {
    scopes.push('offline_access');
  }
  return scopes ? unique(scopes) : undefined;
}

/** The union of scope lists, in first-seen order. */
export function unionScopes(...lists: (readonly string[] | undefined)[]): string[] {
  return unique(lists.flatMap((l) => l ?? []));
}

/** Whether `granted` contains every scope of `required`. */
export function coversScopes(granted: readonly string[], required: readonly string[]): boolean {
  return required.every((s) => granted.includes(s));
}

/** Split a space-separated scope string (RFC 6749 §3.3). */
export function splitScope(scope: string | undefined): string[] {
  return scope ? scope.split(' ').filter((s) => s.length > 0) : [];
}

function unique(list: string[]): string[] {
  return [...new Set(list)];
}
