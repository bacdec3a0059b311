/** A series selector of a PromQL expression: its metric name and the labels its matchers name. */
interface PromqlSelector {
  readonly metric: string;
  readonly matcherLabels: readonly string[];
}

/** What an expression reads: the series it selects and the labels it groups or matches on. */
export interface PromqlReads {
  readonly selectors: readonly PromqlSelector[];
  /** Labels named in by (...), without (...), on (...), ignoring (...), group_left/right (...). */
  readonly groupingLabels: readonly string[];
}

const keywords = new Set(['and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan']);
const grouping = /\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/g;
const quoted = /"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g;
const rangeOrSubquery = /\[[^\]]*\]/g;
/** A name not inside another word or number, with its matchers, and whether a call follows. */
const name = /(?<![\w.$])([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(\{[^}]*\})?(\s*\()?/g;
const matcher = /([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)/g;

/**
 * The metric names and label names a PromQL expression uses, by a small scan rather than a parser:
 * enough for the rules and dashboard of this repository (selectors, functions, aggregations with
 * by/without, vector matching, ranges and offsets). Names followed by `(` are functions; names in
 * grouping clauses are labels; strings (Grafana variables live in them) and ranges are dropped.
 */
export function promqlReads(expr: string): PromqlReads {
  const groupingLabels = [...expr.matchAll(grouping)].flatMap((m) => labelList(m[1] ?? ''));
  const rest = expr
    .replace(quoted, '""')
    .replace(grouping, ' ')
    .replace(rangeOrSubquery, ' ')
    .replace(/\boffset\s+\S+/g, ' ');
  const selectors: PromqlSelector[] = [];
  for (const [, metric = '', braces = '', call] of rest.matchAll(name)) {
    if (call !== undefined || keywords.has(metric.toLowerCase())) continue;
    selectors.push({ metric, matcherLabels: [...braces.matchAll(matcher)].map((m) => m[1] ?? '') });
  }
  return { selectors, groupingLabels };
}

function labelList(list: string): string[] {
  return list
    .split(',')
    .map((label) => label.trim())
    .filter((label) => label !== '');
}
