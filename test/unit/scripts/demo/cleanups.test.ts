import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { Cleanups } from '../../../../scripts/demo/cleanups.ts';

describe('demo cleanups', () => {
  it('stops everything in reverse start order, each step finished before the next begins', async () => {
    const cleanups = new Cleanups();
    const log: string[] = [];
    const step =
      (name: string, ms = 0) =>
      async () => {
        log.push(`${name} start`);
        await sleep(ms);
        log.push(`${name} done`);
      };
    // The demo's start order: broker, simulator, the run's Redis keys, relay, Kafka reader, activity.
    cleanups.add(step('broker'));
    cleanups.add(() => void log.push('simulator start', 'simulator done'));
    cleanups.add(step('redis keys'));
    cleanups.add(step('relay', 20));
    cleanups.add(step('consumer', 5));
    cleanups.add(() => void log.push('activity start', 'activity done'));

    expect(await cleanups.runAll()).toEqual([]);
    expect(log.filter((l) => l.endsWith(' start')).map((l) => l.replace(/ start$/, ''))).toEqual([
      'activity',
      'consumer',
      'relay',
      'redis keys',
      'simulator',
      'broker',
    ]);
    for (let i = 0; i < log.length; i += 2) expect(log[i + 1]).toBe(log[i]?.replace(/start$/, 'done'));
  });

  it('runs the other steps when one throws or rejects, and returns the failures', async () => {
    const cleanups = new Cleanups();
    const ran: string[] = [];
    cleanups.add(() => void ran.push('first'));
    cleanups.add(async () => {
      throw new Error('consumer already gone');
    });
    cleanups.add(() => {
      throw new Error('timer trouble');
    });
    cleanups.add(() => void ran.push('last'));

    const failures = await cleanups.runAll();
    expect(ran).toEqual(['last', 'first']);
    expect(failures.map((e) => (e as Error).message)).toEqual(['timer trouble', 'consumer already gone']);
  });

  it('runs each step once, however often it is asked to (Ctrl-C during a timed run)', async () => {
    const cleanups = new Cleanups();
    let runs = 0;
    cleanups.add(() => void runs++);
    await Promise.all([cleanups.runAll(), cleanups.runAll()]);
    await cleanups.runAll();
    expect(runs).toBe(1);
  });
});
