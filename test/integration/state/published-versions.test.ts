import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { type PublishedRef, RedisPublishedVersions } from '../../../src/state/published-versions.ts';
import { slotTag } from '../../../src/state/redis-client.ts';
import { testRedis, uniqueName } from '../../helpers/services.ts';

const put = { deletion: false };
const del = { deletion: true };

function store(claimTtlMs = 30_000) {
  const redis = testRedis();
  const prefix = uniqueName('pv');
  return {
    redis,
    prefix,
    versions: new RedisPublishedVersions(redis, { prefix, claimTtlMs, markerTtlSeconds: 3600 }),
  };
}

const ref: PublishedRef = {
  connector: 'crm',
  siteHost: 'acme.atlassian.net',
  entity: 'issue',
  entityId: '10042',
};

async function publishOnce(versions: RedisPublishedVersions, r: PublishedRef, version: number, opts = put) {
  const outcome = await versions.claim(r, version, opts);
  if (outcome.kind !== 'claimed') throw new Error(`expected a claim, got ${outcome.kind}`);
  await versions.markPublished(r, version, outcome.token, opts);
}

describe('published versions on real Redis', () => {
  it('keeps a claim past its lease while the publish runs, so a newer version waits for it', async () => {
    const { versions } = store(150);
    const first = await versions.claim(ref, 1000, put);
    if (first.kind !== 'claimed') throw new Error('no claim');
    const publishing = versions.holdWhile(
      ref,
      first.token,
      sleep(900).then(() => 'acked'),
    );
    await sleep(500); // over three leases
    expect(await versions.claim(ref, 2000, put)).toMatchObject({ kind: 'busy', version: 1000 });
    expect(await publishing).toBe('acked');
    await versions.markPublished(ref, 1000, first.token, put);
    expect(await versions.claim(ref, 2000, put)).toMatchObject({ kind: 'claimed' });
  });

  it('lets a claim lapse after its lease when nobody holds it (a worker that died)', async () => {
    const { versions } = store(150);
    expect(await versions.claim(ref, 1000, put)).toMatchObject({ kind: 'claimed' });
    await sleep(300);
    expect(await versions.claim(ref, 2000, put)).toMatchObject({ kind: 'claimed' });
  });

  it('publishes a version once, refuses older ones, accepts newer ones', async () => {
    const { versions } = store();
    expect(await versions.current(ref)).toBeNull();
    await publishOnce(versions, ref, 1000);
    expect(await versions.claim(ref, 1000, put)).toEqual({ kind: 'published', version: 1000 });
    expect(await versions.claim(ref, 999, put)).toEqual({ kind: 'superseded', version: 1000 });
    await publishOnce(versions, ref, 2000);
    expect(await versions.current(ref)).toEqual({ version: 2000, deleted: false });
  });

  it('keeps markers apart per connector, site, entity kind and id', async () => {
    const { versions } = store();
    await publishOnce(versions, ref, 1000);
    for (const other of [
      { ...ref, connector: 'monitoring' },
      { ...ref, siteHost: 'globex.atlassian.net' },
      { ...ref, entity: 'comment' as const },
      { ...ref, entityId: '10043' },
    ]) {
      expect((await versions.claim(other, 1000, put)).kind).toBe('claimed');
    }
  });

  it('makes a newer version wait while an older one is being published, and drops an older one behind a newer', async () => {
    const { versions } = store();
    const first = await versions.claim(ref, 1000, put);
    if (first.kind !== 'claimed') throw new Error(first.kind);
    const newer = await versions.claim(ref, 2000, put);
    expect(newer.kind).toBe('busy');
    expect(newer.kind === 'busy' && newer.retryInMs).toBeGreaterThan(0);
    expect(await versions.claim(ref, 500, put)).toEqual({ kind: 'superseded', version: 1000 });
    expect((await versions.claim(ref, 1000, put)).kind).toBe('busy');
    await versions.markPublished(ref, 1000, first.token, put);
    expect((await versions.claim(ref, 2000, put)).kind).toBe('claimed');
  });

  it('frees a claim on release, so a retry can publish the version', async () => {
    const { versions } = store();
    const first = await versions.claim(ref, 1000, put);
    if (first.kind !== 'claimed') throw new Error(first.kind);
    await versions.release(ref, 'someone-else');
    expect((await versions.claim(ref, 1000, put)).kind).toBe('busy');
    await versions.release(ref, first.token);
    expect((await versions.claim(ref, 1000, put)).kind).toBe('claimed');
  });

  it('lets a claim lapse when its worker died between publish and mark: the version goes out again', async () => {
    const { versions } = store(50);
    expect((await versions.claim(ref, 1000, put)).kind).toBe('claimed');
    await sleep(80);
    const retry = await versions.claim(ref, 1000, put);
    expect(retry.kind).toBe('claimed');
    if (retry.kind === 'claimed') await versions.markPublished(ref, 1000, retry.token, put);
    expect(await versions.current(ref)).toEqual({ version: 1000, deleted: false });
  });

  it('lets a deletion win over any version and publishes it once', async () => {
    const { versions } = store();
    await publishOnce(versions, ref, 5000);
    // The deletion's version (delivery time) may even be below the last update's, given clock skew.
    await publishOnce(versions, ref, 4000, del);
    expect(await versions.current(ref)).toEqual({ version: 4000, deleted: true });
    expect(await versions.claim(ref, 6000, put)).toEqual({ kind: 'superseded', version: 4000 });
    expect(await versions.claim(ref, 7000, del)).toEqual({ kind: 'published', version: 4000 });
  });

  it('makes a deletion wait for an update in flight, and drops updates behind a deletion in flight', async () => {
    const { versions } = store();
    const update = await versions.claim(ref, 1000, put);
    if (update.kind !== 'claimed') throw new Error(update.kind);
    expect((await versions.claim(ref, 2000, del)).kind).toBe('busy');
    await versions.markPublished(ref, 1000, update.token, put);
    const deletion = await versions.claim(ref, 2000, del);
    expect(deletion.kind).toBe('claimed');
    expect(await versions.claim(ref, 3000, put)).toEqual({ kind: 'superseded', version: 2000 });
    expect((await versions.claim(ref, 2500, del)).kind).toBe('busy');
  });

  it('never moves a marker back when a late mark arrives', async () => {
    const { versions } = store(20);
    const slow = await versions.claim(ref, 1000, put);
    if (slow.kind !== 'claimed') throw new Error(slow.kind);
    await sleep(40);
    await publishOnce(versions, ref, 2000);
    await versions.markPublished(ref, 1000, slow.token, put);
    expect(await versions.current(ref)).toEqual({ version: 2000, deleted: false });
  });

  it('expires markers after the configured time of quiet', async () => {
    const { versions, redis, prefix } = store();
    await publishOnce(versions, ref, 1000);
    const ttl = await redis.pttl(
      `${prefix}:published:crm:${slotTag(redis, 'acme.atlassian.net')}:issue:10042`,
    );
    expect(ttl).toBeGreaterThan(3_500_000);
    expect(ttl).toBeLessThanOrEqual(3_600_000);
  });

  it('under racing writers on two connections, publishes each version at most once and never an older after a newer', async () => {
    const a = store();
    const b = new RedisPublishedVersions(testRedis(), {
      prefix: a.prefix,
      claimTtlMs: 30_000,
      markerTtlSeconds: 3600,
    });
    const log = uniqueName('pv-log');
    // The same changes reach two workers (webhook and poll), in different orders, at once.
    const changes = Array.from({ length: 40 }, (_, i) => 1000 + i * 10);
    const shuffled = [...changes].sort(() => Math.random() - 0.5);
    const worker = async (versions: RedisPublishedVersions, order: number[]) => {
      for (const version of order) {
        for (;;) {
          const outcome = await versions.claim(ref, version, put);
          if (outcome.kind === 'busy') {
            await sleep(1);
            continue;
          }
          if (outcome.kind === 'claimed') {
            await a.redis.rpush(log, String(version)); // "Kafka"
            await versions.markPublished(ref, version, outcome.token, put);
          }
          break;
        }
      }
    };
    await Promise.all([
      worker(a.versions, changes),
      worker(b, shuffled),
      worker(a.versions, shuffled.reverse()),
    ]);
    const published = (await a.redis.lrange(log, 0, -1)).map(Number);
    await a.redis.del(log);
    expect(published.length).toBeGreaterThan(0);
    expect(new Set(published).size).toBe(published.length);
    expect(published).toEqual([...published].sort((x, y) => x - y));
    expect(published.at(-1)).toBe(1390);
    expect(await a.versions.current(ref)).toEqual({ version: 1390, deleted: false });
  });
});
