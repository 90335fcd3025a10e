/**
 * Function names that model APIs accept (`^[a-zA-Z0-9_-]{1,64}$`, as OpenAI and most providers require):
 * other characters become `_`, long names are cut, and clashes get a numeric suffix. Returns the names in order.
 */
export function modelSafeNames(names: readonly string[]): string[] {
  const used = new Set<string>();
  return names.map((name) => {
    const base = name.replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, 64) || 'tool';
    let candidate = base;
    for (let i = 2; used.has(candidate); i++) {
      const suffix = `_${i}`;
      candidate = `${base.slice(0, 64 - suffix.length)}${suffix}`;
    }
    used.add(candidate);
    return candidate;
  });
}
