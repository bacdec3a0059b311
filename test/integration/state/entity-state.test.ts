import { describe, expect, it } from 'vitest';
import { RedisEntityState } from '../../../src/state/entity-state.ts';
import { commentChange, issueChange, issueSnapshot } from '../../helpers/changes.ts';
import { testRedis, uniqueName } from '../../helpers/services.ts';

function store() {
  return new RedisEntityState(testRedis(), uniqueName('relay'));
}

const todo = issueSnapshot({ status: { name: 'To Do', category: 'new' } });
const doing = issueSnapshot({ status: { name: 'Doing', category: 'indeterminate' } });
const done = issueSnapshot({ status: { name: 'Done', category: 'done' } });

describe('RedisEntityState', () => {
  it('advances on versions newer than the committed one and hands back the committed snapshot', async () => {
    const state = store();
    const v1 = issueChange({ version: 1000, issue: todo });
    expect(await state.decide(v1)).toEqual({ kind: 'advance', previous: null });
    await state.commit(v1);
    const decision = await state.decide(issueChange({ version: 2000, issue: doing }));
    expect(decision.kind).toBe('advance');
    expect(decision.kind !== 'stale' && decision.previous?.status.category).toBe('new');
  });

  it('compares a newer version with what was committed, not with a version that was never published', async () => {
    const state = store();
    await state.commit(issueChange({ version: 1000, issue: todo }));
    // Version 2000 (Doing) is decided, then its worker dies before publishing: nothing committed.
    expect((await state.decide(issueChange({ version: 2000, issue: doing }))).kind).toBe('advance');
    const next = await state.decide(issueChange({ version: 3000, issue: done }));
    expect(next.kind !== 'stale' && next.previous?.status.name).toBe('To Do');
  });

  it('drops a version older than the committed one', async () => {
    const state = store();
    await state.commit(issueChange({ version: 2000 }));
    expect(await state.decide(issueChange({ version: 1000 }))).toEqual({ kind: 'stale', current: 2000 });
  });

  it('treats the committed version again as a repeat with the snapshot before it (idempotent retries)', async () => {
    const state = store();
    await state.commit(issueChange({ version: 1000, issue: issueSnapshot({ summary: 'first' }) }));
    const second = issueChange({ version: 2000, issue: issueSnapshot({ summary: 'second' }) });
    await state.commit(second);
    const again = await state.decide(second);
    expect(again.kind).toBe('repeat');
    expect(again.kind !== 'stale' && again.previous?.summary).toBe('first');
  });

  it('commits versions forward only, and lets a deletion win even when its version is older', async () => {
    const state = store();
    await state.commit(issueChange({ version: 5000, issue: doing }));
    await state.commit(issueChange({ version: 4000, issue: todo }));
    expect(await state.decide(issueChange({ version: 4500 }))).toEqual({ kind: 'stale', current: 5000 });
    const deletion = issueChange({ kind: 'deleted', version: 4000 });
    expect((await state.decide(deletion)).kind).toBe('advance');
    await state.commit(deletion);
    // The deletion is the committed version now (the published markers keep it final for connectors).
    expect(await state.decide(deletion)).toMatchObject({ kind: 'repeat' });
  });

  it('keeps issues and comments, and sites, apart', async () => {
    const state = store();
    await state.commit(issueChange({ version: 5000 }));
    expect((await state.decide(commentChange({ version: 1 }))).kind).toBe('advance');
    const otherSite = issueChange({ version: 1, site: { host: 'other.atlassian.net' } });
    expect((await state.decide(otherSite)).kind).toBe('advance');
  });
});
