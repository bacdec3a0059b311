/** One sample of the relay's /metrics (Prometheus text): a family name, its labels and the value. */
interface MetricSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const line = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)$/;
const label = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** The relay's /metrics as samples (comments and HELP/TYPE lines left out). */
export async function scrapeRelay(relayUrl: string): Promise<MetricSample[]> {
  const text = await fetch(`${relayUrl}/metrics`).then(
    (r) => r.text(),
    () => '',
  );
  const samples: MetricSample[] = [];
  for (const raw of text.split('\n')) {
    const match = line.exec(raw.trim());
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const [, k, v] of (match[2] ?? '').matchAll(label)) if (k !== undefined) labels[k] = v ?? '';
    samples.push({ name: match[1] ?? '', labels, value: Number(match[3]) });
  }
  return samples;
}

/** The sum of a family's samples whose labels include `where`, grouped by one label (or all in ''). */
export function sumBy(
  samples: readonly MetricSample[],
  name: string,
  by?: string,
  where: Readonly<Record<string, string>> = {},
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of samples) {
    if (s.name !== name || !Object.entries(where).every(([k, v]) => s.labels[k] === v)) continue;
    const group = by === undefined ? '' : (s.labels[by] ?? '');
    out[group] = (out[group] ?? 0) + s.value;
  }
  return out;
}

/** `after - before` per key (keys of either side). */
export function delta(
  before: Readonly<Record<string, number>>,
  after: Readonly<Record<string, number>>,
): Record<string, number> {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return Object.fromEntries([...keys].map((k) => [k, (after[k] ?? 0) - (before[k] ?? 0)]));
}

/** The relay's log lines at warn or above (pino JSON), counted by message; KafkaJS's partitioner notice left out. */
export function warningsOf(output: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of output.split('\n')) {
    if (!/"level":(40|50|60)/.test(line) || line.includes('default partitioner')) continue;
    const msg = /"msg":"((?:[^"\\]|\\.)*)"/.exec(line)?.[1] ?? line.slice(0, 120);
    out[msg] = (out[msg] ?? 0) + 1;
  }
  return out;
}
