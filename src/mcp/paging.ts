/** Reading a paginated MCP list (MCP Utilities, "Pagination") page by page, with explicit cursors. */
import type { Logger } from '../core/logger.ts';

/**
 * Hard cap on the pages of one list request (`tools/list`, `prompts/list`, …), against a server whose pagination
 * never ends. Past it the items of the first `MAX_LIST_PAGES` pages are used and a warning is logged.
 */
export const MAX_LIST_PAGES = 1_000;

/** One page of a paginated result (MCP Utilities, "Pagination": `nextCursor` absent on the last page). */
export interface Page {
  nextCursor?: string | undefined;
}

/** What {@link readAllPages} needs: how to fetch one page, and where a page keeps its items. */
export interface PageWalk<P extends Page, Item> {
  /** The list method, for the log (`tools/list`). */
  method: string;
  /** Fetch one page: the first with `cursor` undefined, the next ones with the previous page's `nextCursor`. */
  fetchPage(cursor: string | undefined): Promise<P>;
  /** The items of a page. */
  items(page: P): readonly Item[];
  logger: Logger;
  /** A description of the server for the log (URL or command line). */
  server: string;
  /** Default {@link MAX_LIST_PAGES}. */
  maxPages?: number;
}

/**
 * Every item of a paginated list: follows `nextCursor` until a page has none, for at most `maxPages` pages.
 * A server that repeats a cursor, or that still has a `nextCursor` on the last page allowed, ends the walk with
 * a warning through the logger and the items read so far (a partial list beats none).
 *
 * The SDK's own `Client.listTools()` (no cursor) also walks the pages, but fails after its `listMaxPages` (64);
 * each request here carries its cursor explicitly, so the SDK fetches exactly one page.
 */
export async function readAllPages<P extends Page, Item>(walk: PageWalk<P, Item>): Promise<Item[]> {
  const maxPages = walk.maxPages ?? MAX_LIST_PAGES;
  const all: Item[] = [];
  const seen = new Set<string>();
  let cursor: string | undefined;
  for (let pages = 1; pages <= maxPages; pages++) {
    const page = await walk.fetchPage(cursor);
    all.push(...walk.items(page));
    cursor = page.nextCursor;
    if (cursor === undefined) return all;
    if (seen.has(cursor)) {
      walk.logger.warn(`${walk.method} pagination repeated a cursor; using the items read so far`, {
        server: walk.server,
        pages,
        items: all.length,
      });
      return all;
    }
    seen.add(cursor);
  }
  walk.logger.warn(`${walk.method} pagination did not end within ${maxPages} pages; using the items read so far`, {
    server: walk.server,
    pages: maxPages,
    items: all.length,
  });
  return all;
}
