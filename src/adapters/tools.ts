import type { Tool, Toolset } from '../mcp/common.ts';

/** A toolset (warmed up here) or a list of tools. */
export type ToolSource = Toolset | readonly Tool[];

/** The tools of a source; a toolset is warmed up first (a no-op when it already is). */
export async function toolsOf(source: ToolSource): Promise<readonly Tool[]> {
  if (Array.isArray(source)) return source as readonly Tool[];
  const toolset = source as Toolset;
  await toolset.warmUp();
  return toolset.tools;
}
