/**
 * Jira's built-in (system) field ids, the same on every site. A bare string in the connectors file
 * that is one of them is taken as that id even when the site's field list cannot be read.
 */
export const builtInFieldIds: ReadonlySet<string> = new Set([
  'aggregateprogress',
  'aggregatetimeestimate',
  'aggregatetimeoriginalestimate',
  'aggregatetimespent',
  'assignee',
  'attachment',
  'comment',
  'components',
  'created',
  'creator',
  'description',
  'duedate',
  'environment',
  'fixVersions',
  'issuekey',
  'issuelinks',
  'issuetype',
  'labels',
  'lastViewed',
  'parent',
  'priority',
  'progress',
  'project',
  'reporter',
  'resolution',
  'resolutiondate',
  'security',
  'status',
  'statuscategorychangedate',
  'subtasks',
  'summary',
  'timeestimate',
  'timeoriginalestimate',
  'timespent',
  'timetracking',
  'updated',
  'versions',
  'votes',
  'watches',
  'worklog',
  'workratio',
]);

/** Built-in fields that are no value an event could carry, and why; mapping one is a problem. */
export const unmappableFields: Readonly<Record<string, string>> = {
  comment: 'comments are published as events of their own (notes, annotations), not as a field',
  worklog: 'work logs are not published; map timetracking or timespent instead',
  lastViewed: 'each reader sees its own value, so webhooks and polls would disagree',
};
