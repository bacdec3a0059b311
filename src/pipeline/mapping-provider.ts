import type { JiraFieldInfo, ResolvedMapping } from '../../connectors/config/resolve-field-names.ts';
import { resolveFieldNames } from '../../connectors/config/resolve-field-names.ts';
import type { EnabledConnector } from '../../connectors/registry.ts';
import type { Logger } from '../logger.ts';

/** A site's Jira field list, or undefined when the relay cannot ask that site (no connection). */
export type FieldListSource = (siteHost: string) => Promise<readonly JiraFieldInfo[] | undefined>;

const unavailable: readonly JiraFieldInfo[] = Object.freeze([]);

/** Sites whose mappings are kept by default: the design's 10,000 connected sites. */
const defaultMaxSites = 10_000;

interface Cached {
  readonly mappings: ReadonlyMap<string, ResolvedMapping>;
  readonly until: number;
}

/**
 * Each connector's mapping resolved for one site: field names in the connectors file become that
 * site's field ids. The field list is fetched once per site and cache period, and only when some
 * connector names a field by name. A name the site lacks leaves its target out (logged once per
 * resolution) rather than failing every change. The cache is bounded, least recently used site
 * out first: site hosts come from webhook bodies, and a shared secret may speak for any site.
 */
export class MappingProvider {
  readonly #connectors: readonly EnabledConnector[];
  readonly #fields: FieldListSource;
  readonly #ttlMs: number;
  readonly #log: Logger;
  readonly #now: () => number;
  /** In least recently used order (a Map iterates in insertion order; a hit is moved to the end). */
  readonly #cache = new Map<string, Cached>();
  readonly #maxSites: number;
  readonly #needsFieldList: boolean;

  constructor(opts: {
    connectors: readonly EnabledConnector[];
    fields: FieldListSource;
    ttlMs: number;
    log: Logger;
    now?: () => number;
    /** Sites whose mappings are kept; default 10,000. */
    maxSites?: number;
  }) {
    this.#connectors = opts.connectors;
    this.#fields = opts.fields;
    this.#ttlMs = opts.ttlMs;
    this.#log = opts.log;
    this.#now = opts.now ?? Date.now;
    this.#maxSites = opts.maxSites ?? defaultMaxSites;
    this.#needsFieldList = opts.connectors.some(({ settings }) =>
      Object.values(settings.fields).some(
        (ref) =>
          (typeof ref === 'string' && !/^customfield_\d+$/.test(ref)) ||
          (typeof ref === 'object' && 'name' in ref),
      ),
    );
  }

  get connectors(): readonly EnabledConnector[] {
    return this.#connectors;
  }

  async mappingsFor(siteHost: string): Promise<ReadonlyMap<string, ResolvedMapping>> {
    const cached = this.#cache.get(siteHost);
    if (cached && cached.until > this.#now()) {
      this.#cache.delete(siteHost);
      this.#cache.set(siteHost, cached);
      return cached.mappings;
    }
    const fields = this.#needsFieldList ? await this.#fieldList(siteHost) : [];
    // A failed field list is retried within a minute, not after the whole cache period.
    const ttl = fields === unavailable ? Math.min(this.#ttlMs, 60_000) : this.#ttlMs;
    const mappings = new Map<string, ResolvedMapping>();
    for (const { name, settings } of this.#connectors) {
      const { mapping, problems } = resolveFieldNames(settings, fields);
      if (problems.length > 0)
        this.#log.warn({ site: siteHost, connector: name, problems }, 'unresolved field mapping');
      mappings.set(name, mapping);
    }
    this.#remember(siteHost, { mappings, until: this.#now() + ttl });
    return mappings;
  }

  #remember(siteHost: string, entry: Cached): void {
    this.#cache.delete(siteHost);
    this.#cache.set(siteHost, entry);
    for (const oldest of this.#cache.keys()) {
      if (this.#cache.size <= this.#maxSites) break;
      this.#cache.delete(oldest);
    }
  }

  async #fieldList(siteHost: string): Promise<readonly JiraFieldInfo[]> {
    try {
      return (await this.#fields(siteHost)) ?? unavailable;
    } catch (err) {
      // Mapping without names beats not mapping: ids still resolve.
      this.#log.warn({ err, site: siteHost }, 'field list unavailable; field names stay unresolved');
      return unavailable;
    }
  }
}
