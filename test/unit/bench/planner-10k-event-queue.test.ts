import { describe, expect, it } from 'vitest';
import { EventQueue } from '../../../bench/planner-10k/event-queue.ts';
import { createRandom } from '../../sim/random.ts';

describe('the simulation event queue', () => {
  it('hands events back earliest first, ties in the order they were pushed', () => {
    const queue = new EventQueue<string>();
    queue.push(30, 'c');
    queue.push(10, 'a1');
    queue.push(20, 'b');
    queue.push(10, 'a2');
    queue.push(10, 'a3');
    const order = [];
    for (let e = queue.pop(); e; e = queue.pop()) order.push(e.value);
    expect(order).toEqual(['a1', 'a2', 'a3', 'b', 'c']);
    expect(queue.size).toBe(0);
  });

  it('keeps the heap order over thousands of random pushes and pops', () => {
    const random = createRandom(7);
    const queue = new EventQueue<number>();
    const popped: number[] = [];
    for (let i = 0; i < 5000; i++) {
      queue.push(random.int(1000), i);
      if (random.chance(0.3)) popped.push(queue.pop()?.at ?? -1);
    }
    const rest = queue.popBefore(Number.POSITIVE_INFINITY).map((e) => e.at);
    expect(rest).toEqual([...rest].sort((a, b) => a - b));
    expect(popped.length + rest.length).toBe(5000);
  });

  it('pops exactly the events due before a time, leaving the rest', () => {
    const queue = new EventQueue<string>();
    queue.push(5, 'early');
    queue.push(10, 'at the bound');
    queue.push(9, 'just before');
    expect(queue.popBefore(10).map((e) => e.value)).toEqual(['early', 'just before']);
    expect(queue.peekAt()).toBe(10);
  });
});
