import { Redis } from 'ioredis';

/** Every key under `prefix:` (SCAN, so a large keyspace is never blocked). */
export async function scanKeys(redis: Redis, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const batch of scanBatches(redis, prefix)) keys.push(...batch);
  return keys;
}

/** Every key under `prefix:` and every value in it, whatever its type: for "no secret in Redis" checks. */
export async function dumpKeys(redis: Redis, prefix: string): Promise<string[]> {
  const out: string[] = [];
  for (const key of await scanKeys(redis, prefix)) {
    out.push(key);
    const type = await redis.type(key);
    if (type === 'string') out.push((await redis.get(key)) ?? '');
    else if (type === 'hash') out.push(...Object.entries(await redis.hgetall(key)).flat());
    else if (type === 'set') out.push(...(await redis.smembers(key)));
    else if (type === 'zset') out.push(...(await redis.zrange(key, '0', '-1', 'WITHSCORES')));
    else if (type === 'list') out.push(...(await redis.lrange(key, 0, -1)));
    else if (type === 'stream')
      for (const [id, fields] of await redis.xrange(key, '-', '+')) out.push(id, ...fields);
    else if (!['string', 'hash', 'set', 'none'].includes(type))
      throw new Error(`dumpKeys cannot read ${key} (${type}): teach it, or tokens could hide there`);
  }
  return out;
}

/**
 * Removes every key under `prefix:`, batch by batch: what a test or benchmark leaves behind (dedupe
 * claims, known-entity hashes, cursors) otherwise piles up in the shared Redis and slows later runs.
 */
export async function deleteKeysWithPrefix(redis: Redis, prefix: string): Promise<number> {
  let deleted = 0;
  for await (const batch of scanBatches(redis, prefix)) deleted += await redis.unlink(...batch);
  return deleted;
}

/** The same, on a connection of its own: for teardowns that run after the test's connections closed. */
export async function deleteKeysAt(url: string, prefix: string): Promise<number> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    return await deleteKeysWithPrefix(redis, prefix);
  } finally {
    redis.disconnect();
  }
}

/**
 * Removes the keys a test run created under names from `uniqueName()` (`<what>-<base36 ms>-<run tag
 * + 4 hex>`, as a key prefix or as a BullMQ queue name): the run's dedupe claims, queues and state,
 * which would otherwise pile up run after run. Other runs' keys have another tag and are untouched.
 */
export async function deleteRunKeys(url: string, runTag: string): Promise<number> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  const ours = new RegExp(`-[0-9a-z]{6,10}-${runTag}[0-9a-f]{4}$`);
  let deleted = 0;
  try {
    for await (const batch of scanBatches(redis, '*')) {
      const keys = batch.filter((key) => ours.test(nameIn(key)));
      if (keys.length > 0) deleted += await redis.unlink(...keys);
    }
    return deleted;
  } finally {
    redis.disconnect();
  }
}

/** The uniqueName() part of a key: its first segment, or the queue name of a BullMQ key. */
function nameIn(key: string): string {
  const [first, second] = key.split(':');
  return (first === 'bull' ? second : first) ?? '';
}

async function* scanBatches(redis: Redis, prefix: string): AsyncGenerator<string[], void, undefined> {
  let cursor = '0';
  do {
    const pattern = prefix === '*' ? '*' : `${prefix}:*`;
    const [next, batch] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', '1000');
    if (batch.length > 0) yield batch;
    cursor = next;
  } while (cursor !== '0');
}
