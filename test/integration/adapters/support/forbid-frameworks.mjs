// `node --import ./forbid-frameworks.mjs`: importing any agent framework (ai, LangChain, Mastra, the OpenAI Agents
// SDK) fails with "framework imported: <specifier>", so that a process can prove it never loads one.
import { register } from 'node:module';

register(
  `data:text/javascript,${encodeURIComponent(`
const FRAMEWORK = /^(ai\\d?|langchain|@langchain\\/[^/]+|@mastra\\/[^/]+|@openai\\/agents[^/]*)(\\/|$)/;
export function resolve(specifier, context, next) {
  if (FRAMEWORK.test(specifier)) throw new Error('framework imported: ' + specifier);
  return next(specifier, context);
}`)}`,
  import.meta.url,
);
