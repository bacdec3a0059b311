import { z } from 'zod';
import type { JiraClient } from '../../atlassian/jira/jira-client.ts';

const fieldDefinition = z.object({
  id: z.string(),
  name: z.string(),
  custom: z.boolean().optional(),
  schema: z
    .object({
      type: z.string(),
      items: z.string().optional(),
      system: z.string().optional(),
      custom: z.string().optional(),
    })
    .optional(),
});

/** A field of a site as `GET field` lists it: what resolving names and shaping values needs. */
export type JiraFieldDefinition = z.output<typeof fieldDefinition>;

/** 1 point plus one per field; a site has about 50 system fields and its custom ones (as jira-reads.ts). */
const FIELD_LIST_ESTIMATED_COST = 1 + 150;

/** Every field of the client's site. Entries of an unexpected shape are left out rather than failing all. */
async function fetchFieldDefinitions(client: JiraClient): Promise<JiraFieldDefinition[]> {
  const body = await client.get<unknown>('field', undefined, {
    routeClass: 'field',
    estimatedCost: FIELD_LIST_ESTIMATED_COST,
  });
  if (!Array.isArray(body)) return [];
  return body.flatMap((entry) => {
    const parsed = fieldDefinition.safeParse(entry);
    return parsed.success ? [parsed.data] : [];
  });
}

interface CachedList {
  readonly fields: Promise<readonly JiraFieldDefinition[]>;
  readonly until: number;
}

/** Cache period and size of `SiteFieldCache`. */
export interface SiteFieldCacheOptions {
  /** How long a site's list is used before it is read again; default 5 minutes. */
  readonly ttlMs?: number;
  /** Sites kept, least recently used out first; default 1000. */
  readonly maxSites?: number;
  readonly now?: () => number;
}

/**
 * Field lists by site host, read once per period. Concurrent commands of one site share one
 * request; a failed read is not kept. Bounded: site hosts come from commands.
 */
export class SiteFieldCache {
  readonly #ttlMs: number;
  readonly #maxSites: number;
  readonly #now: () => number;
  /** In least recently used order (a hit moves to the end). */
  readonly #sites = new Map<string, CachedList>();

  constructor(opts: SiteFieldCacheOptions = {}) {
    this.#ttlMs = opts.ttlMs ?? 5 * 60_000;
    this.#maxSites = opts.maxSites ?? 1000;
    this.#now = opts.now ?? Date.now;
  }

  /** The field list of the client's site, from the cache or from `GET field`. */
  fieldsOf(client: JiraClient): Promise<readonly JiraFieldDefinition[]> {
    const site = client.connection.siteHost;
    const cached = this.#sites.get(site);
    this.#sites.delete(site);
    if (cached && cached.until > this.#now()) {
      this.#sites.set(site, cached);
      return cached.fields;
    }
    const fields = fetchFieldDefinitions(client);
    const entry: CachedList = { fields, until: this.#now() + this.#ttlMs };
    this.#sites.set(site, entry);
    fields.catch(() => {
      if (this.#sites.get(site) === entry) this.#sites.delete(site);
    });
    for (const oldest of this.#sites.keys()) {
      if (this.#sites.size <= this.#maxSites) break;
      this.#sites.delete(oldest);
    }
    return fields;
  }
}
