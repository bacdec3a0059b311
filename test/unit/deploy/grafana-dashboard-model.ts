import { z } from 'zod';

/**
 * A dashboard in Grafana's classic JSON model, as its documentation describes it ("Dashboard JSON
 * model": the top-level fields, panels with `gridPos`, template variables under `templating.list`),
 * narrowed to what this repository's dashboard uses: Prometheus queries and core visualizations.
 * Keys the model has and this schema does not name (fieldConfig details, options) pass through.
 */

/** Grafana's grid: 24 columns; `h` in rows of 30 px. */
const gridPos = z
  .object({
    x: z.number().int().min(0).max(23),
    y: z.number().int().min(0),
    w: z.number().int().min(1).max(24),
    h: z.number().int().min(1),
  })
  .refine((g) => g.x + g.w <= 24, { message: 'a panel ends within the 24 columns' });

const datasourceRef = z.object({ type: z.string().min(1), uid: z.string().min(1) });

/** A Prometheus query of a panel. */
const target = z.object({
  refId: z.string().regex(/^[A-Z]$/),
  expr: z.string().trim().min(1),
  datasource: datasourceRef.optional(),
  legendFormat: z.string().optional(),
});

/** Core visualizations (panel plugin ids) Grafana ships with. */
const visualization = z.enum([
  'timeseries',
  'stat',
  'gauge',
  'bargauge',
  'table',
  'heatmap',
  'histogram',
  'barchart',
  'piechart',
  'state-timeline',
  'status-history',
  'text',
]);

const queryPanel = z.object({
  id: z.number().int().positive(),
  type: visualization,
  title: z.string().trim().min(1),
  description: z.string().optional(),
  gridPos,
  datasource: datasourceRef,
  targets: z.array(target).min(1),
  fieldConfig: z.object({ defaults: z.record(z.string(), z.unknown()), overrides: z.array(z.unknown()) }),
  options: z.record(z.string(), z.unknown()),
});

const rowPanel = z.object({
  id: z.number().int().positive(),
  type: z.literal('row'),
  title: z.string().trim().min(1),
  gridPos,
  collapsed: z.boolean(),
  panels: z.array(queryPanel),
});

const variable = z.object({
  name: z.string().regex(/^\w+$/),
  label: z.string().optional(),
  type: z.enum(['query', 'custom', 'constant', 'datasource', 'interval', 'textbox', 'adhoc']),
  query: z.union([z.string(), z.object({ query: z.string() })]),
  datasource: datasourceRef.optional(),
  /** 0 never, 1 on dashboard load, 2 on time range change. */
  refresh: z.union([z.literal(0), z.literal(1), z.literal(2)]).optional(),
  /** 0 shown, 1 label hidden, 2 hidden. */
  hide: z.union([z.literal(0), z.literal(1), z.literal(2)]).optional(),
  multi: z.boolean().optional(),
  includeAll: z.boolean().optional(),
});

export const grafanaDashboard = z.object({
  id: z.null(),
  uid: z.string().regex(/^[a-zA-Z0-9_-]{1,40}$/),
  title: z.string().trim().min(1),
  tags: z.array(z.string()),
  timezone: z.string(),
  editable: z.boolean(),
  /** 0 default, 1 shared crosshair, 2 shared tooltip. */
  graphTooltip: z.union([z.literal(0), z.literal(1), z.literal(2)]),
  time: z.object({ from: z.string().min(1), to: z.string().min(1) }),
  refresh: z.string(),
  schemaVersion: z.number().int().min(36),
  version: z.number().int().nonnegative(),
  links: z.array(z.unknown()),
  annotations: z.object({ list: z.array(z.unknown()) }),
  templating: z.object({ list: z.array(variable) }),
  panels: z.array(z.union([rowPanel, queryPanel])),
});

export type GrafanaDashboard = z.infer<typeof grafanaDashboard>;
export type QueryPanel = z.infer<typeof queryPanel>;

/** Every panel with queries, those inside rows included. */
export function queryPanels(dashboard: GrafanaDashboard): QueryPanel[] {
  return dashboard.panels.flatMap((p) => (p.type === 'row' ? p.panels : [p]));
}
