import { createMetrics } from '../../../src/metrics/registry.ts';
import type { PromqlReads } from './promql-selectors.ts';

/** Labels Prometheus adds to every scraped series (its target labels). */
const targetLabels = ['job', 'instance'];

/**
 * Every series name the relay's /metrics can show, with the labels each carries: the families of
 * `createMetrics()`, histograms as their `_bucket` (with `le`), `_sum` and `_count` series.
 */
export async function relayMetricCatalog(): Promise<ReadonlyMap<string, ReadonlySet<string>>> {
  const { registry } = createMetrics();
  const catalog = new Map<string, ReadonlySet<string>>();
  for (const family of await registry.getMetricsAsJSON()) {
    // prom-client keeps the labelNames it was given on the metric; its typings do not list them.
    const metric = registry.getSingleMetric(family.name) as unknown as { labelNames?: readonly string[] };
    const labels = [...(metric.labelNames ?? []), ...targetLabels];
    const type = String(family.type);
    if (type === 'histogram') {
      catalog.set(`${family.name}_bucket`, new Set([...labels, 'le']));
      catalog.set(`${family.name}_sum`, new Set(labels));
      catalog.set(`${family.name}_count`, new Set(labels));
    } else if (type === 'summary') {
      catalog.set(family.name, new Set([...labels, 'quantile']));
      catalog.set(`${family.name}_sum`, new Set(labels));
      catalog.set(`${family.name}_count`, new Set(labels));
    } else {
      catalog.set(family.name, new Set(labels));
    }
  }
  return catalog;
}

/**
 * What an expression reads that the relay does not export: unknown metric names, matcher labels a
 * metric does not carry, and grouping labels none of the expression's metrics carries.
 */
export function unknownReads(
  catalog: ReadonlyMap<string, ReadonlySet<string>>,
  reads: PromqlReads,
): string[] {
  const problems: string[] = [];
  const carried = new Set<string>();
  for (const { metric, matcherLabels } of reads.selectors) {
    const labels = catalog.get(metric);
    if (!labels) {
      problems.push(`unknown metric ${metric}`);
      continue;
    }
    for (const label of labels) carried.add(label);
    for (const label of matcherLabels)
      if (!labels.has(label)) problems.push(`${metric} has no label ${label}`);
  }
  for (const label of reads.groupingLabels)
    if (!carried.has(label)) problems.push(`no metric of the expression has label ${label}`);
  return problems;
}
