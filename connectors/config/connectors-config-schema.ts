import { z } from 'zod';

/**
 * The connectors file (`CONNECTORS_CONFIG`, YAML). Objects are strict so a misspelt key is an error
 * at start-up rather than a silently ignored filter. See config/connectors.yaml for an example.
 */

/** PagerDuty Events v2 severities; CRM tickets carry the same scale. */
const severities = ['critical', 'error', 'warning', 'info'] as const;
export type Severity = (typeof severities)[number];

const lifecycleStates = ['triggered', 'acknowledged', 'resolved'] as const;
export type LifecycleState = (typeof lifecycleStates)[number];

const nonEmpty = z.string().trim().min(1, 'must not be empty');
const nameList = z.array(nonEmpty);

const topicName = z
  .string()
  .regex(/^[A-Za-z0-9._-]{1,249}$/, 'a Kafka topic name: letters, digits, `.`, `_`, `-`, at most 249');

/** A Jira field by id (`customfield_10050`, `duedate`), by display name, or a bare string (either). */
const fieldRef = z.union([nonEmpty, z.strictObject({ id: nonEmpty }), z.strictObject({ name: nonEmpty })]);
export type FieldRef = z.output<typeof fieldRef>;

const filterSchema = z
  .strictObject({
    /** Project keys; empty means every project. */
    projects: nameList.default([]),
    /** Issue type names or ids; empty means every type. */
    issueTypes: nameList.default([]),
    /** The issue must carry at least one of these labels; empty means no label needed. */
    labels: nameList.default([]),
  })
  .default({ projects: [], issueTypes: [], labels: [] });

/** Jira's default priorities (current and legacy names) on the PagerDuty scale. */
const defaultSeverities: Record<Severity, string[]> = {
  critical: ['Highest', 'Blocker'],
  error: ['High', 'Critical'],
  warning: ['Medium', 'Major'],
  info: ['Low', 'Lowest', 'Minor', 'Trivial'],
};

/** Many-to-one: each target lists the Jira names or ids it stands for; a source may appear once. */
function noDuplicateSources(map: Partial<Record<string, string[]>>, ctx: z.RefinementCtx): void {
  const seen = new Map<string, string>();
  for (const [target, sources = []] of Object.entries(map)) {
    sources.forEach((source, i) => {
      const earlier = seen.get(source.toLowerCase());
      if (earlier !== undefined && earlier !== target) {
        ctx.addIssue({
          code: 'custom',
          path: [target, i],
          message: `"${source}" is already mapped to ${earlier}`,
        });
      }
      seen.set(source.toLowerCase(), target);
    });
  }
}

const severityMap = z
  .partialRecord(z.enum(severities), nameList)
  .superRefine(noDuplicateSources)
  .default(defaultSeverities);

function connectorSchema<S extends z.ZodType<Partial<Record<string, string[]>>>>(
  defaultTopic: string,
  statuses: S,
) {
  return z.strictObject({
    enabled: z.boolean().default(true),
    topic: topicName.default(defaultTopic),
    filter: filterSchema,
    /** Target field name in the event -> Jira field; names are resolved per site (resolve-field-names.ts). */
    fields: z
      .record(z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'letters, digits and `_`'), fieldRef)
      .default({}),
    /** Many-to-one status mapping: target -> Jira status names or ids. */
    statuses,
    /** Priority to severity: severity -> Jira priority names or ids. */
    severities: severityMap,
    /** The severity of issues without a priority or with one no list names. */
    defaultSeverity: z.enum(severities).default('warning'),
  });
}

const crmSchema = connectorSchema(
  'jira.crm.events',
  z.record(nonEmpty, nameList).superRefine(noDuplicateSources).default({}),
);
/** Monitoring statuses override the lifecycle the status category gives (new/in progress/done). */
const monitoringSchema = connectorSchema(
  'jira.monitoring.events',
  z.partialRecord(z.enum(lifecycleStates), nameList).superRefine(noDuplicateSources).default({}),
);

export const connectorsConfigSchema = z.strictObject({
  connectors: z.strictObject({
    crm: crmSchema.optional(),
    monitoring: monitoringSchema.optional(),
  }),
});

export type ConnectorsConfig = z.output<typeof connectorsConfigSchema>;
/** One connector's settings as written in the file (names not yet resolved). */
export type ConnectorSettings = z.output<typeof crmSchema> | z.output<typeof monitoringSchema>;
