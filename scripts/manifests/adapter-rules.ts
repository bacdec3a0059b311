import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { createMetrics } from '../../src/metrics/registry.ts';
import { type Checked, whereIs } from './manifest.ts';
import type { ManifestSet } from './manifest-set.ts';

/** prometheus-adapter's external rule, the fields this folder uses (the adapter's docs/config.md). */
const externalRule = z.object({
  seriesQuery: z.string().min(1),
  resources: z.object({ overrides: z.record(z.string(), z.object({ resource: z.string() })) }).optional(),
  name: z.object({ matches: z.string().min(1), as: z.string().min(1) }),
  metricsQuery: z.string().min(1),
});

const adapterConfig = z.object({ externalRules: z.array(externalRule).min(1) });

/** An external metric an adapter rule serves, and the relay metric it is computed from. */
interface ExternalMetric {
  readonly name: string;
  readonly fromMetric: string;
}

type AdapterRules =
  | { readonly metrics: readonly ExternalMetric[] }
  | { readonly problems: readonly string[] };

/** Every external metric the adapter rules here serve. */
export function externalMetrics(set: ManifestSet): ExternalMetric[] {
  return adapterConfigMaps(set).flatMap((configMap) => {
    const rules = readAdapterRules(configMap);
    return 'metrics' in rules ? rules.metrics : [];
  });
}

/**
 * Each adapter rule is well formed and reads a metric the relay exports (its registry, so a renamed
 * metric fails here rather than leaving the autoscaler without numbers).
 */
export function adapterProblems(set: ManifestSet): string[] {
  const { registry } = createMetrics();
  return adapterConfigMaps(set).flatMap((configMap) => {
    const rules = readAdapterRules(configMap);
    const problems =
      'problems' in rules
        ? rules.problems
        : rules.metrics
            .filter((m) => registry.getSingleMetric(m.fromMetric) === undefined)
            .map((m) => `reads ${m.fromMetric || '(no metric name)'}, which the relay does not export`);
    return problems.map((p) => `${whereIs(configMap)}: ${p}`);
  });
}

/** The adapter configurations here: ConfigMaps whose `config.yaml` holds `externalRules`. */
function adapterConfigMaps(set: ManifestSet): Checked<IConfigMap>[] {
  return set.configMaps.filter((c) => /^\s*externalRules:/m.test(c.object.data?.['config.yaml'] ?? ''));
}

function readAdapterRules(configMap: Checked<IConfigMap>): AdapterRules {
  const doc = parseDocument(configMap.object.data?.['config.yaml'] ?? '');
  if (doc.errors.length > 0)
    return { problems: doc.errors.map((e) => `config.yaml: ${e.message.split('\n')[0]}`) };
  const parsed = adapterConfig.safeParse(doc.toJS());
  if (!parsed.success) {
    return { problems: parsed.error.issues.map((i) => `config.yaml ${i.path.join('.')}: ${i.message}`) };
  }
  return {
    metrics: parsed.data.externalRules.map((rule) => ({
      name: rule.name.as,
      fromMetric: seriesName(rule.seriesQuery),
    })),
  };
}

/** The metric name a series query starts with: `jira_relay_queue_jobs{...}`. */
function seriesName(seriesQuery: string): string {
  return /^\s*([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(seriesQuery)?.[1] ?? '';
}
