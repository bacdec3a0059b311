import type { SimComment, SimIssue, SimProject, SimSite, SimUser } from '../model.ts';
import type { ResolvedOptions } from '../options.ts';
import { createRandom, type Random } from '../random.ts';
import { SiteStore } from '../state/site-store.ts';
import {
  CUSTOMER_FIELD,
  components,
  customerOptions,
  issueTypes,
  labels,
  priorities,
  STORY_POINTS_FIELD,
  statuses,
} from './catalog.ts';
import { adfParagraphs, randomDescription, randomRemark, randomSummary } from './text.ts';
import { addWorkFields } from './work-fields.ts';

const companies = ['acme', 'globex', 'initech', 'umbrella', 'hooli', 'stark', 'wayne', 'wonka'];
const firstNames = [
  'Ada',
  'Grace',
  'Linus',
  'Margaret',
  'Ken',
  'Barbara',
  'Dennis',
  'Radia',
  'Alan',
  'Frances',
];
const lastNames = ['Lovelace', 'Hopper', 'Torvalds', 'Hamilton', 'Thompson', 'Liskov', 'Ritchie', 'Perlman'];
const timeZones = [
  'Europe/Warsaw',
  'America/New_York',
  'Asia/Kolkata',
  'UTC',
  'Australia/Sydney',
  'America/Los_Angeles',
  'Asia/Tokyo',
];
const projectTemplates = [
  { key: 'OPS', name: 'Operations' },
  { key: 'CRM', name: 'Customer Support' },
  { key: 'WEB', name: 'Web Platform' },
];
const DAY_MS = 86_400_000;

export interface GeneratedWorld {
  users: SimUser[];
  stores: SiteStore[];
}

/** Builds the same world for the same seed; timestamps lie in the 180 days before `now`. */
export function generateWorld(options: ResolvedOptions, now: number): GeneratedWorld {
  const random = createRandom(options.seed);
  const users = Array.from({ length: Math.max(1, options.users) }, (_, i) => generateUser(random, i));
  // A stream of its own: the fields added later leave the core data of every seed unchanged.
  const workRandom = createRandom((options.seed ^ 0x5bd1e995) >>> 0);
  const stores: SiteStore[] = [];
  for (let s = 0; s < options.sites; s++) {
    const name = `${companies[s % companies.length]}-${s + 1}`;
    const host = `${name}.atlassian.net`;
    const projects: SimProject[] = projectTemplates.map((p, i) => ({
      id: String(10000 + i),
      key: p.key,
      name: p.name,
    }));
    const site: SimSite = {
      cloudId: random.uuid(),
      name,
      url: `https://${host}`,
      host,
      projects,
      userIds: new Set(users.map((u) => u.accountId)),
    };
    const store = new SiteStore(site);
    const issues: SimIssue[] = [];
    for (let n = 0; n < options.issuesPerSite; n++) {
      issues.push(generateIssue(random, store, users, now, n === 0 ? 25 : random.int(3)));
    }
    addWorkFields(workRandom, issues);
    store.addGenerated(issues);
    stores.push(store);
  }
  return { users, stores };
}

function generateUser(random: Random, index: number): SimUser {
  const first = firstNames[index % firstNames.length] as string;
  const last = random.pick(lastNames);
  return {
    accountId: `712020:${random.uuid()}`,
    displayName: `${first} ${last}`,
    email: `${first}.${last}${index}@example.com`.toLowerCase(),
    timeZone: index === 0 ? 'Europe/Warsaw' : (timeZones[index % timeZones.length] as string),
    locale: 'en_US',
  };
}

function generateIssue(
  random: Random,
  store: SiteStore,
  users: readonly SimUser[],
  now: number,
  commentCount: number,
): SimIssue {
  const project = random.pick(store.site.projects);
  const created = now - DAY_MS * 180 + random.int(DAY_MS * 160);
  const status = random.pick(statuses);
  const reporter = random.pick(users).accountId;
  const issue: SimIssue = {
    id: store.allocateIssueId(),
    key: store.allocateKey(project.key),
    projectId: project.id,
    issueTypeId: random.pick(issueTypes).id,
    summary: randomSummary(random),
    description: random.chance(0.9) ? randomDescription(random) : null,
    statusId: status.id,
    priorityId: random.pick(priorities).id,
    labels: random.chance(0.6) ? [random.pick(labels)] : [],
    componentIds: random.chance(0.5) ? [random.pick(components).id] : [],
    assigneeId: random.chance(0.8) ? random.pick(users).accountId : null,
    reporterId: reporter,
    creatorId: reporter,
    created,
    updated: created,
    resolutionDate: null,
    custom: {
      [CUSTOMER_FIELD]: random.chance(0.7) ? random.pick(customerOptions).id : null,
      [STORY_POINTS_FIELD]: random.chance(0.5) ? random.pick([1, 2, 3, 5, 8]) : null,
    },
    comments: [],
    changelog: [],
    properties: new Map(),
  };
  let at = created;
  if (status.id !== '10000') {
    at += random.int(DAY_MS * 5) + 60_000;
    issue.changelog.push({
      id: store.allocateHistoryId(),
      authorId: random.pick(users).accountId,
      created: at,
      items: [
        {
          field: 'status',
          fieldtype: 'jira',
          fieldId: 'status',
          from: '10000',
          fromString: 'To Do',
          to: status.id,
          toString: status.name,
        },
      ],
    });
    if (status.category.key === 'done') issue.resolutionDate = at;
  }
  for (let c = 0; c < commentCount; c++) {
    at += random.int(DAY_MS / 4) + 60_000;
    issue.comments.push(generateComment(random, store, users, issue.id, at, c));
  }
  issue.updated = Math.min(at, now - 60_000);
  return issue;
}

function generateComment(
  random: Random,
  store: SiteStore,
  users: readonly SimUser[],
  issueId: string,
  at: number,
  index: number,
): SimComment {
  const author = random.pick(users).accountId;
  return {
    id: store.allocateCommentId(),
    issueId,
    body: adfParagraphs(`Comment ${index + 1}: ${randomRemark(random)}`),
    authorId: author,
    updateAuthorId: author,
    created: at,
    updated: at,
    properties: new Map(),
  };
}
