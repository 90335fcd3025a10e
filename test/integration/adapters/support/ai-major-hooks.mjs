// Module resolve hooks for ai-major.mjs.
let alias = '';

export function initialize(data) {
  alias = `ai${data.major}`;
}

export function resolve(specifier, context, next) {
  if (specifier === 'ai' || specifier.startsWith('ai/')) return next(`${alias}${specifier.slice(2)}`, context);
  return next(specifier, context);
}
