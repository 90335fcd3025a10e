/**
 * Walking an error's `cause` chain (ES2022 `Error.cause`): errors of this library, of the MCP SDK, of oauth4webapi
 * and of `fetch` wrap what went wrong underneath, and callers look for a code, a status or a `Response` there.
 */

/** How many links of a `cause` chain are walked at most (a chain is a few links; a cycle must not loop). */
const MAX_CAUSE_DEPTH = 10;

/**
 * `error` and each `cause` under it, outermost first: stops at an `undefined` or `null` cause, after
 * {@link MAX_CAUSE_DEPTH} links, or where the chain loops back.
 *
 * @param error - anything thrown.
 * @returns the links of the chain (empty for `undefined` or `null`).
 */
export function causeChain(error: unknown): unknown[] {
  const chain: unknown[] = [];
  let e: unknown = error;
  while (e !== undefined && e !== null && chain.length < MAX_CAUSE_DEPTH && !chain.includes(e)) {
    chain.push(e);
    e = (e as { cause?: unknown }).cause;
  }
  return chain;
}

/**
 * The first value `pick` returns (other than `undefined`) for a link of `error`'s cause chain, outermost first.
 *
 * @param error - anything thrown.
 * @param pick - what to look for in one link.
 * @returns that value, or `undefined` when no link has it.
 */
export function findInCauses<T>(error: unknown, pick: (link: unknown) => T | undefined): T | undefined {
  for (const link of causeChain(error)) {
    const found = pick(link);
    if (found !== undefined) return found;
  }
  return undefined;
}
