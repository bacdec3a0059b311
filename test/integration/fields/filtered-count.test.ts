import { describe, expect, it } from 'vitest';
import { parseConnectorsConfig } from '../../../connectors/config/parse-connectors-config.ts';
import { enabledConnectors } from '../../../connectors/registry.ts';
import type { RelayEvent } from '../../../connectors/relay-event.ts';
import { createMetrics } from '../../../src/metrics/registry.ts';
import { MappingProvider } from '../../../src/pipeline/mapping-provider.ts';
import { processChange } from '../../../src/pipeline/process-change.ts';
import { RedisEntityState } from '../../../src/state/entity-state.ts';
import { RedisPublishedVersions } from '../../../src/state/published-versions.ts';
import { issueChange, issueSnapshot } from '../../helpers/changes.ts';
import { captureLog } from '../../helpers/log-capture.ts';
import { testRedis, uniqueName } from '../../helpers/services.ts';

/** The change pipeline on real Redis, with a publisher that only records, and a debug log to read. */
function pipeline(yaml: string) {
  const parsed = parseConnectorsConfig(yaml);
  if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
  const { log, records } = captureLog('debug');
  const redis = testRedis();
  const prefix = uniqueName('filtered');
  const published: RelayEvent[] = [];
  const metrics = createMetrics();
  const deps = {
    entities: new RedisEntityState(redis, prefix),
    mappings: new MappingProvider({
      connectors: enabledConnectors(parsed.config),
      fields: async () => undefined,
      ttlMs: 60_000,
      log,
    }),
    published: new RedisPublishedVersions(redis, { prefix, claimTtlMs: 10_000, markerTtlSeconds: 600 }),
    publisher: {
      publish: async (events: readonly RelayEvent[]) => void published.push(...events),
      publishDeadLetter: async () => undefined,
      close: async () => undefined,
    },
    log,
    metrics,
    now: () => new Date(),
  };
  const counted = async () =>
    (await metrics.changesFiltered.get()).values.map((v) => ({ ...v.labels, value: v.value }));
  const filteredLog = () => records().filter((r) => r.msg === 'change filtered out');
  return { deps, published, counted, filteredLog };
}

const config = [
  'connectors:',
  '  crm: { filter: { projects: [SUP, OPS], labels: [customer] } }',
  '  monitoring: { filter: { projects: [OPS], issueTypes: [Incident] } }',
].join('\n');

describe('changes a filter drops: counted per connector and reason, logged at debug level', () => {
  it('counts each filtered change once, by the criterion that dropped it, and nothing else', async () => {
    const p = pipeline(config);
    const at = (minute: number) => Date.parse(`2024-03-01T10:0${minute}:00Z`);
    // SUP: crm takes the project but not the labels; monitoring does not take the project.
    const sup = issueSnapshot({ id: '1', key: 'SUP-1', project: { id: '9', key: 'SUP' }, labels: ['vip'] });
    await processChange(issueChange({ issue: sup, version: at(1) }), p.deps);
    // OPS Incident with the label: both take it; a later version with nothing new is a skip, not a filter.
    const ops = issueSnapshot({ id: '2', key: 'OPS-2', labels: ['customer'] });
    await processChange(issueChange({ issue: ops, version: at(2) }), p.deps);
    await processChange(issueChange({ issue: { ...ops, summary: 'renamed' }, version: at(3) }), p.deps);

    expect(await p.counted()).toEqual(
      expect.arrayContaining([
        { connector: 'crm', reason: 'label', value: 1 },
        { connector: 'monitoring', reason: 'project', value: 1 },
      ]),
    );
    expect(await p.counted()).toHaveLength(2);
    expect(p.filteredLog()).toEqual([
      expect.objectContaining({ connector: 'crm', issue: 'SUP-1', reason: 'label' }),
      expect.objectContaining({
        connector: 'monitoring',
        issue: 'SUP-1',
        reason: 'project',
        detail: 'project SUP is not in the filter',
      }),
    ]);
    expect(p.published.map((e) => e.subject)).toEqual(['OPS-2', 'OPS-2', 'OPS-2']);
  });

  it('counts nothing without filters', async () => {
    const p = pipeline('connectors:\n  crm: {}\n  monitoring: {}\n');
    await processChange(
      issueChange({ issue: issueSnapshot({ key: 'ANY-1', project: { id: '1', key: 'ANY' } }) }),
      p.deps,
    );
    expect(await p.counted()).toEqual([]);
    expect(p.published).toHaveLength(2);
  });
});
