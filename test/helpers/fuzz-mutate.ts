/** Values that break naive code: nulls, huge numbers, lone surrogates, prototype keys, odd dates. */
const weird: unknown[] = [
  null,
  true,
  0,
  -1,
  1e308,
  '',
  'x'.repeat(300),
  '\u0000',
  '\ud800',
  [],
  {},
  [[[]]],
  { self: 'nota url' },
  { self: 'javascript:alert(1)' },
  { id: { $ne: 1 } },
  '__proto__',
  { __proto__: { polluted: true } },
  { constructor: { prototype: {} } },
  Number.NaN,
  '2024-13-45T99:99:99+9999',
];

/**
 * A JSON value with parts dropped, renamed or swapped for one of `weird`, seeded by `rand`: what
 * webhook fuzzers send.
 */
export function mutate(value: unknown, rand: () => number, depth = 0): unknown {
  const pick = () => weird[Math.floor(rand() * weird.length)];
  if (depth > 6 || rand() < 0.05) return pick();
  if (Array.isArray(value)) return value.map((v) => mutate(v, rand, depth + 1));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const r = rand();
      if (r < 0.05) continue;
      out[r < 0.08 ? `${k}_x` : k] = mutate(v, rand, depth + 1);
    }
    return out;
  }
  return rand() < 0.1 ? pick() : value;
}
