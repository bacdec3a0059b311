/** The fixed Jira configuration every simulated site shares: statuses, workflow, priorities, fields. */

interface StatusCategory {
  readonly id: number;
  readonly key: 'new' | 'indeterminate' | 'done';
  readonly colorName: string;
  readonly name: string;
}

export interface Status {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly category: StatusCategory;
}

const todo: StatusCategory = { id: 2, key: 'new', colorName: 'blue-gray', name: 'To Do' };
const doing: StatusCategory = { id: 4, key: 'indeterminate', colorName: 'yellow', name: 'In Progress' };
const done: StatusCategory = { id: 3, key: 'done', colorName: 'green', name: 'Done' };

export const statuses: readonly Status[] = [
  { id: '10000', name: 'To Do', description: 'Work that has not been started.', category: todo },
  { id: '3', name: 'In Progress', description: 'The issue is being worked on.', category: doing },
  { id: '10002', name: 'In Review', description: 'Waiting for a review.', category: doing },
  { id: '10001', name: 'Done', description: 'Work has been completed.', category: done },
];

/** Every status can move to every other one (a simplified "all transitions" workflow). */
export interface Transition {
  readonly id: string;
  readonly name: string;
  readonly toStatusId: string;
}

export const transitions: readonly Transition[] = [
  { id: '11', name: 'To Do', toStatusId: '10000' },
  { id: '21', name: 'In Progress', toStatusId: '3' },
  { id: '31', name: 'In Review', toStatusId: '10002' },
  { id: '41', name: 'Done', toStatusId: '10001' },
];

export interface Priority {
  readonly id: string;
  readonly name: string;
  readonly statusColor: string;
}

export const priorities: readonly Priority[] = [
  { id: '1', name: 'Highest', statusColor: '#d04437' },
  { id: '2', name: 'High', statusColor: '#f15C75' },
  { id: '3', name: 'Medium', statusColor: '#f79232' },
  { id: '4', name: 'Low', statusColor: '#707070' },
  { id: '5', name: 'Lowest', statusColor: '#999999' },
];

export interface IssueType {
  readonly id: string;
  readonly name: string;
  readonly description: string;
}

export const issueTypes: readonly IssueType[] = [
  { id: '10001', name: 'Task', description: 'A small, distinct piece of work.' },
  { id: '10002', name: 'Bug', description: 'A problem or error.' },
  { id: '10003', name: 'Story', description: 'A feature expressed as a user goal.' },
  { id: '10004', name: 'Incident', description: 'An unplanned interruption of a service.' },
];

export interface Component {
  readonly id: string;
  readonly name: string;
}

export const components: readonly Component[] = [
  { id: '10100', name: 'Backend' },
  { id: '10101', name: 'Frontend' },
  { id: '10102', name: 'Billing' },
  { id: '10103', name: 'Integrations' },
];

export const labels: readonly string[] = ['customer', 'urgent', 'regression', 'ui', 'api', 'billing', 'ops'];

/** Custom field ids; the customer field is a single select whose options name customer organizations. */
export const CUSTOMER_FIELD = 'customfield_10010';
export const STORY_POINTS_FIELD = 'customfield_10016';

export interface SelectOption {
  readonly id: string;
  readonly value: string;
}

export const customerOptions: readonly SelectOption[] = [
  { id: '10200', value: 'Globex Corporation' },
  { id: '10201', value: 'Initech' },
  { id: '10202', value: 'Umbrella Health' },
  { id: '10203', value: 'Stark Logistics' },
  { id: '10204', value: 'Wayne Retail' },
];

export function findStatus(id: string): Status | undefined {
  return statuses.find((s) => s.id === id);
}

export function findPriority(id: string): Priority | undefined {
  return priorities.find((p) => p.id === id);
}

export function findIssueType(id: string): IssueType | undefined {
  return issueTypes.find((t) => t.id === id);
}

/** Versions of each project (the generated projects are 10000, 10001, 10002 on every site). */
export interface Version {
  readonly id: string;
  readonly name: string;
  readonly projectId: string;
  readonly released: boolean;
  readonly releaseDate: string;
}

export const versions: readonly Version[] = ['10000', '10001', '10002'].flatMap((projectId, p) =>
  [
    { name: '1.0', released: true, releaseDate: '2024-01-15' },
    { name: '1.1', released: true, releaseDate: '2024-04-02' },
    { name: '2.0', released: false, releaseDate: '2024-09-30' },
  ].map((v, i) => ({ id: String(10300 + p * 10 + i), projectId, ...v })),
);

/** Jira's default issue link types. */
export interface LinkType {
  readonly id: string;
  readonly name: string;
  readonly inward: string;
  readonly outward: string;
}

export const linkTypes: readonly LinkType[] = [
  { id: '10000', name: 'Blocks', inward: 'is blocked by', outward: 'blocks' },
  { id: '10001', name: 'Cloners', inward: 'is cloned by', outward: 'clones' },
  { id: '10002', name: 'Duplicate', inward: 'is duplicated by', outward: 'duplicates' },
  { id: '10003', name: 'Relates', inward: 'relates to', outward: 'relates to' },
];

export interface SecurityLevel {
  readonly id: string;
  readonly name: string;
  readonly description: string;
}

export const securityLevels: readonly SecurityLevel[] = [
  { id: '10000', name: 'Staff only', description: 'Only staff can see the issue.' },
  { id: '10001', name: 'Customers and staff', description: 'The reporter’s organization and staff.' },
];

/** The resolution a transition into a done status sets. */
export const doneResolution = { id: '10000', name: 'Done', description: 'Work has been completed.' } as const;

/** Environments an issue may name (rich text; wiki-safe, so webhook and API text agree). */
export const environments: readonly string[] = [
  'Production, EU region',
  'Staging cluster after the last deploy',
  'Chrome 126 on macOS 14',
  'Android app 5.2 on a Pixel 8',
];
