import { describe, expect, it } from 'vitest';
import { parseConnectorsConfig } from '../../../connectors/config/parse-connectors-config.ts';
import { enabledConnectors } from '../../../connectors/registry.ts';
import { createLogger } from '../../../src/logger.ts';
import { MappingProvider } from '../../../src/pipeline/mapping-provider.ts';

/** A connector that names a field by name, so every site's field list is asked for. */
function connectors() {
  const parsed = parseConnectorsConfig('connectors:\n  crm:\n    fields:\n      customer: Customer\n');
  if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
  return enabledConnectors(parsed.config);
}

/** A provider over a field source that counts the field lists it is asked for, per site. */
function countingProvider(maxSites: number) {
  const asked = new Map<string, number>();
  const provider = new MappingProvider({
    connectors: connectors(),
    fields: async (site) => {
      asked.set(site, (asked.get(site) ?? 0) + 1);
      return [{ id: 'customfield_10010', name: 'Customer' }];
    },
    ttlMs: 3_600_000,
    log: createLogger({ level: 'silent' }),
    maxSites,
  });
  return { provider, asked };
}

/**
 * Issue 17, "Caches grow without bound": site hosts come from webhook bodies, and a shared secret
 * may speak for any site, so the mapping cache held one entry per host ever named. It keeps the
 * `maxSites` least recently used sites.
 */
describe('MappingProvider cache bound (least recently used out first)', () => {
  it('holds at most maxSites sites, dropping the least recently used one', async () => {
    const { provider, asked } = countingProvider(3);
    for (const site of ['a', 'b', 'c']) await provider.mappingsFor(`${site}.atlassian.net`);
    await provider.mappingsFor('a.atlassian.net'); // used again: now b is the least recent
    await provider.mappingsFor('d.atlassian.net'); // over the bound: b goes
    expect(asked.get('a.atlassian.net')).toBe(1);

    await provider.mappingsFor('a.atlassian.net');
    await provider.mappingsFor('c.atlassian.net');
    await provider.mappingsFor('d.atlassian.net');
    expect([...asked.values()].reduce((n, v) => n + v, 0)).toBe(4); // all three still cached
    await provider.mappingsFor('b.atlassian.net');
    expect(asked.get('b.atlassian.net')).toBe(2); // was dropped, read again
  });

  it('stays at the bound under 10,000 forged site hosts', async () => {
    const { provider, asked } = countingProvider(100);
    for (let i = 0; i < 10_000; i++) await provider.mappingsFor(`forged-${i}.atlassian.net`);
    for (let i = 9_900; i < 10_000; i++) await provider.mappingsFor(`forged-${i}.atlassian.net`);
    expect(asked.size).toBe(10_000);
    expect([...asked.values()].every((n) => n === 1)).toBe(true); // the last 100 were still cached
    await provider.mappingsFor('forged-0.atlassian.net');
    expect(asked.get('forged-0.atlassian.net')).toBe(2);
  });
});
