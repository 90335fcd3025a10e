/**
 * Function names that model APIs accept (`^[a-zA-Z0-9_-]{1,64}$`, as OpenAI and most providers require):
 * other characters become `_`, long names are cut, and clashes get a numeric suffix. Returns the names in order.
 * With `hyphens: false` a `-` becomes `_` too (`^[a-zA-Z0-9_]{1,64}$`), for frameworks that would otherwise replace
 * it themselves and make names clash (the OpenAI Agents SDK).
 */
export function modelSafeNames(names: readonly string[], options: { hyphens?: boolean } = {}): string[] {
  const unsafe = options.hyphens === false ? /[^a-zA-Z0-9_]/g : /[^a-zA-Z0-9_-]/g;
  const used = new Set<string>();
  return names.map((name) => {
    const base = name.replace(unsafe, '_').slice(0, 64) || 'tool';
    let candidate = base;
    for (let i = 2; used.has(candidate); i++) {
      const suffix = `_${i}`;
      candidate = `${base.slice(0, 64 - suffix.length)}${suffix}`;
    }
    used.add(candidate);
    return candidate;
  });
}
