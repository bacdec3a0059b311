import type { SimIssue } from '../model.ts';
import { compileJql, compileOrder, type JqlEnv } from './compile.ts';
import { JqlError, parseJql } from './parse.ts';

export interface SearchPage {
  readonly issues: SimIssue[];
  readonly nextPageToken: string | undefined;
}

interface PageToken {
  /** A fingerprint of the JQL the token was issued for. */
  q: string;
  /** Issued at (ms): tokens expire after 7 days. */
  t: number;
  /** Keyset position (updated, id) for the default sync order... */
  u?: number;
  i?: number;
  /** ...or an offset for any other order. */
  o?: number;
}

const TOKEN_TTL_MS = 7 * 86_400_000;

function fingerprint(jql: string): string {
  let h = 2166136261;
  for (let i = 0; i < jql.length; i++) h = Math.imul(h ^ jql.charCodeAt(i), 16777619);
  return (h >>> 0).toString(36);
}

function decodeToken(raw: string, jql: string, now: number): PageToken {
  let token: PageToken;
  try {
    token = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as PageToken;
  } catch {
    throw new JqlError('The provided next page token is invalid or expired.');
  }
  if (token.q !== fingerprint(jql) || now - token.t > TOKEN_TTL_MS) {
    throw new JqlError('The provided next page token is invalid or expired.');
  }
  return token;
}

const encodeToken = (token: PageToken): string => Buffer.from(JSON.stringify(token)).toString('base64url');

/**
 * Runs enhanced search: bounded JQL only, cursor pages. The sync order `updated ASC, id ASC` pages
 * by keyset over the site's ordered index (cheap at 100,000 issues); any other order sorts and
 * pages by offset.
 */
export function searchIssues(
  jql: string,
  env: JqlEnv,
  maxResults: number,
  pageToken: string | undefined,
  visible: (issue: SimIssue) => boolean = () => true,
): SearchPage {
  if (jql.trim() === '')
    throw new JqlError(
      'Unbounded JQL queries are not allowed here. Please add a search restriction to your query.',
    );
  const query = parseJql(jql);
  if (!query.where) {
    throw new JqlError(
      'Unbounded JQL queries are not allowed here. Please add a search restriction to your query.',
    );
  }
  const predicate = compileJql(query.where, env);
  const matches = (issue: SimIssue) => predicate(issue) && visible(issue);
  const token = pageToken ? decodeToken(pageToken, jql, env.now) : undefined;
  const q = fingerprint(jql);
  const order = query.orderBy.map((s) => `${s.field} ${s.desc ? 'desc' : 'asc'}`).join(',');
  if (order === 'updated asc,id asc' || order === 'updated asc') {
    const ordered = env.store.ordered;
    let at = token?.u !== undefined ? env.store.lowerBound({ updated: token.u, id: String(token.i) }) : 0;
    if (token?.u !== undefined && ordered[at]?.updated === token.u && ordered[at]?.id === String(token.i))
      at++;
    const issues: SimIssue[] = [];
    for (; at < ordered.length && issues.length < maxResults; at++) {
      const issue = ordered[at] as SimIssue;
      if (matches(issue)) issues.push(issue);
    }
    while (at < ordered.length && !matches(ordered[at] as SimIssue)) at++;
    const last = issues[issues.length - 1];
    const more = at < ordered.length && last !== undefined;
    return {
      issues,
      nextPageToken: more ? encodeToken({ q, t: env.now, u: last.updated, i: Number(last.id) }) : undefined,
    };
  }
  const sorted = [...env.store.byId.values()]
    .filter(matches)
    .sort(compileOrder(query.orderBy.length > 0 ? query.orderBy : [{ field: 'created', desc: true }]));
  const offset = token?.o ?? 0;
  const issues = sorted.slice(offset, offset + maxResults);
  const next = offset + issues.length;
  return {
    issues,
    nextPageToken: next < sorted.length ? encodeToken({ q, t: env.now, o: next }) : undefined,
  };
}
