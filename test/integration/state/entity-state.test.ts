import { describe, expect, it } from 'vitest';
import { RedisEntityState } from '../../../src/state/entity-state.ts';
import { commentChange, issueChange, issueSnapshot } from '../../helpers/changes.ts';
import { testRedis, uniqueName } from '../../helpers/services.ts';

function store() {
  return new RedisEntityState(testRedis(), uniqueName('relay'));
}

describe('RedisEntityState', () => {
  it('advances on newer versions and hands back the snapshot before them', async () => {
    const state = store();
    const v1 = issueChange({
      version: 1000,
      issue: issueSnapshot({ status: { name: 'To Do', category: 'new' } }),
    });
    const v2 = issueChange({
      version: 2000,
      issue: issueSnapshot({ status: { name: 'Doing', category: 'indeterminate' } }),
    });
    expect(await state.decide(v1)).toEqual({ kind: 'advance', previous: null });
    const decision = await state.decide(v2);
    expect(decision.kind).toBe('advance');
    expect(decision.kind !== 'stale' && decision.previous?.status.category).toBe('new');
  });

  it('drops an older version that arrives later', async () => {
    const state = store();
    await state.decide(issueChange({ version: 2000 }));
    expect(await state.decide(issueChange({ version: 1000 }))).toEqual({ kind: 'stale', current: 2000 });
  });

  it('treats the same version again as a repeat with the same previous snapshot (idempotent retries)', async () => {
    const state = store();
    await state.decide(issueChange({ version: 1000, issue: issueSnapshot({ summary: 'first' }) }));
    await state.decide(issueChange({ version: 2000, issue: issueSnapshot({ summary: 'second' }) }));
    const again = await state.decide(
      issueChange({ version: 2000, issue: issueSnapshot({ summary: 'second' }) }),
    );
    expect(again.kind).toBe('repeat');
    expect(again.kind !== 'stale' && again.previous?.summary).toBe('first');
  });

  it('lets a deletion win even when its version is older', async () => {
    const state = store();
    await state.decide(issueChange({ version: 5000 }));
    expect((await state.decide(issueChange({ kind: 'deleted', version: 4000 }))).kind).toBe('advance');
  });

  it('keeps issues and comments, and sites, apart', async () => {
    const state = store();
    await state.decide(issueChange({ version: 5000 }));
    expect((await state.decide(commentChange({ version: 1 }))).kind).toBe('advance');
    const otherSite = issueChange({ version: 1, site: { host: 'other.atlassian.net' } });
    expect((await state.decide(otherSite)).kind).toBe('advance');
  });

  it('decides racing versions consistently: exactly one winner per version order', async () => {
    const state = store();
    const versions = Array.from({ length: 50 }, (_, i) => 1000 + i);
    const decisions = await Promise.all(versions.map((version) => state.decide(issueChange({ version }))));
    const advanced = versions.filter((_, i) => decisions[i]?.kind === 'advance');
    // Whatever the interleaving, the advanced versions are strictly increasing and end at the newest.
    expect(advanced.at(-1)).toBe(1049);
    expect([...advanced].sort((a, b) => a - b)).toEqual(advanced);
  });
});
