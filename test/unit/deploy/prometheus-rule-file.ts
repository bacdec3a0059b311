import { z } from 'zod';

/**
 * A Prometheus rule file as its documentation describes it ("Recording rules" / "Alerting rules",
 * prometheus.io/docs/prometheus/latest/configuration/): `groups`, each with a unique `name`, an
 * optional `interval` and `limit`, and `rules`; a rule is either an alert (`alert`, `expr`, `for`,
 * `keep_firing_for`, `labels`, `annotations`) or a recording (`record`, `expr`, `labels`). Unknown
 * keys are refused, as Prometheus refuses them.
 */

/** Prometheus's duration: units from years to milliseconds, largest first, e.g. `1h30m`; or `0`. */
const duration = z
  .string()
  .regex(/^(?:0|(?=\d)(?:\d+y)?(?:\d+w)?(?:\d+d)?(?:\d+h)?(?:\d+m)?(?:\d+s)?(?:\d+ms)?)$/, 'a duration');
const labelName = z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'a label name');
const labelMap = z.record(labelName, z.string());
const expr = z.string().trim().min(1, 'an expression');

const alertingRule = z.strictObject({
  alert: z.string().trim().min(1),
  expr,
  for: duration.optional(),
  keep_firing_for: duration.optional(),
  labels: labelMap.optional(),
  annotations: labelMap.optional(),
});

const recordingRule = z.strictObject({
  record: z.string().regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/, 'a metric name'),
  expr,
  labels: labelMap.optional(),
});

const ruleGroup = z.strictObject({
  name: z.string().trim().min(1),
  interval: duration.optional(),
  query_offset: duration.optional(),
  limit: z.number().int().nonnegative().optional(),
  rules: z.array(z.union([alertingRule, recordingRule])),
});

export const prometheusRuleFile = z
  .strictObject({ groups: z.array(ruleGroup) })
  .refine((file) => new Set(file.groups.map((g) => g.name)).size === file.groups.length, {
    message: 'group names are unique within a file',
  });

export type AlertingRule = z.infer<typeof alertingRule>;

/** The alerting rules of a parsed file, in order. */
export function alertingRules(file: z.infer<typeof prometheusRuleFile>): AlertingRule[] {
  return file.groups.flatMap((g) => g.rules.filter((r): r is AlertingRule => 'alert' in r));
}
