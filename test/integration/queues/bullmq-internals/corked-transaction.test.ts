import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { CorkedTransaction } from '../../../../src/queues/bullmq-internals/corked-transaction.ts';
import { deleteKeysWithPrefix } from '../../../helpers/redis-keys.ts';
import { redisUrl, uniqueName } from '../../../helpers/services.ts';

const prefix = uniqueName('corked');
const redis = new Redis(redisUrl(), { autoResendUnfulfilledCommands: false });
afterAll(async () => {
  await deleteKeysWithPrefix(redis, prefix);
  await redis.quit();
});

describe('CorkedTransaction on real Redis', () => {
  it('runs its commands as one MULTI and gives each reply at the place command() returned', async () => {
    const tx = new CorkedTransaction(redis);
    const set = tx.command('set', `${prefix}:a`, Buffer.from('{"bytes":"as given"}'));
    const claim = tx.command('set', `${prefix}:a`, 'again', 'NX');
    tx.hset(`${prefix}:h`, { data: Buffer.from('[1,2]'), name: 'x' });
    const read = tx.command('hget', `${prefix}:h`, 'data');
    expect(tx.length).toBe(4);

    const replies = await tx.exec();
    expect(replies[set]).toEqual([null, 'OK']);
    expect(replies[claim]).toEqual([null, null]);
    expect(replies[read]).toEqual([null, '[1,2]']);
    expect(await redis.get(`${prefix}:a`)).toBe('{"bytes":"as given"}');
  });

  it('runs none of it when Redis refuses a command while queuing, and says so', async () => {
    const tx = new CorkedTransaction(redis);
    tx.command('set', `${prefix}:refused`, '1');
    tx.command('set'); // wrong number of arguments: refused at queue time
    await expect(tx.exec()).rejects.toThrow(/EXECABORT/);
    expect(await redis.exists(`${prefix}:refused`)).toBe(0);
  });

  it('reports a command that fails inside EXEC at its place, the others having run', async () => {
    await redis.set(`${prefix}:string`, 'not a hash');
    const tx = new CorkedTransaction(redis);
    tx.command('set', `${prefix}:ran`, '1');
    const wrong = tx.command('hset', `${prefix}:string`, 'f', 'v');
    const replies = await tx.exec();
    expect(replies[wrong]?.[0]?.message).toMatch(/WRONGTYPE/);
    expect(await redis.get(`${prefix}:ran`)).toBe('1');
  });

  it('runs a script command the connection defines, as BullMQ queues its add', async () => {
    redis.defineCommand('echoKey', { numberOfKeys: 1, lua: 'return KEYS[1] .. ARGV[1]' });
    const tx = new CorkedTransaction(redis);
    tx.runCommand('echoKey', [`${prefix}:k`, '!']);
    tx.runCommand('missingScript', []);
    await expect(tx.exec()).rejects.toThrow(/missingScript is not defined/);

    const ok = new CorkedTransaction(redis);
    ok.runCommand('echoKey', [`${prefix}:k`, '!']);
    expect(await ok.exec()).toEqual([[null, `${prefix}:k!`]]);
  });

  it('stores a value given in pieces byte for byte, and the commands after it keep their places', async () => {
    const big = Buffer.alloc(300_000, 'x');
    const pieces = ['{"a":"é—', Buffer.from('€"}'), '', Buffer.alloc(0), big, '✓'];
    const tx = new CorkedTransaction(redis);
    const stored = tx.hsetParts(`${prefix}:parts`, 'data', pieces);
    const after = tx.command('hstrlen', `${prefix}:parts`, 'data');
    const replies = await tx.exec();

    const expected = Buffer.concat(pieces.map((p) => (typeof p === 'string' ? Buffer.from(p) : p)));
    expect(replies[stored]).toEqual([null, 1]);
    expect(replies[after]).toEqual([null, expected.length]);
    expect((await redis.hgetBuffer(`${prefix}:parts`, 'data'))?.equals(expected)).toBe(true);
  });

  it('keeps no piece of a value once it is written, while the reply is awaited', async () => {
    // Held until the reply, pieces outlived young-generation collections (see PartsHsetCommand).
    const holder: { piece?: Buffer } = { piece: Buffer.alloc(4096, 'y') };
    const written = new WeakRef(holder.piece as Buffer);
    await new Promise((resolve) => setImmediate(resolve)); // the WeakRef holds its target to here
    const { replies, stored } = sendPiece(holder, `${prefix}:released`);
    collectGarbage();
    expect(written.deref()).toBeUndefined();
    expect((await replies)[stored]).toEqual([null, 1]);
    expect(await redis.hstrlen(`${prefix}:released`, 'data')).toBe(4097);
  });

  it('is sent once: a second exec() throws instead of sending an empty MULTI', async () => {
    const tx = new CorkedTransaction(redis);
    tx.command('set', `${prefix}:once`, '1');
    await tx.exec();
    await expect(tx.exec()).rejects.toThrow(/already sent/);
  });
});

/** Hands the holder's piece to a transaction and sends it; no frame of the caller sees the piece. */
function sendPiece(holder: { piece?: Buffer }, key: string) {
  const tx = new CorkedTransaction(redis);
  const stored = tx.hsetParts(key, 'data', [holder.piece as Buffer, '!']);
  delete holder.piece;
  return { replies: tx.exec(), stored };
}

/** A full collection, now: the flag is read when `gc` is looked up, so a fresh context sees it. */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}
