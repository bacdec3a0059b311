import { describe, expect, it } from 'vitest';
import { type DeliveryTimeline, splitTimelines } from '../../../bench/e2e-split.ts';

const seen = (createdAt: number, readAt: number) => ({ createdAt, readAt });

/** sent 0, answered 4, added 3, active 10, CRM created 20 read 30, monitoring created 25 read 40, completed 45 */
const one: DeliveryTimeline = {
  sentAt: 1000,
  respondedAt: 1004,
  job: { addedAt: 1003, activeAt: 1010, completedAt: 1045 },
  crm: seen(1020, 1030),
  monitoring: seen(1025, 1040),
};

function row(rows: ReturnType<typeof splitTimelines>, startsWith: string) {
  const found = rows.find((r) => r.segment.startsWith(startsWith));
  if (!found) throw new Error(`no segment ${startsWith}`);
  return found;
}

describe('splitTimelines', () => {
  it('measures each segment between consecutive points of the same delivery', () => {
    const rows = splitTimelines([one]);
    expect(row(rows, 'intake answered').meanMs).toBe(4);
    expect(row(rows, 'into the queue').meanMs).toBe(3);
    expect(row(rows, 'queue pickup').meanMs).toBe(7);
    expect(row(rows, 'to the first publish').meanMs).toBe(10);
    // The monitoring event was read later: the segments run to its creation, then to its read.
    expect(row(rows, 'between the publishes').meanMs).toBe(5);
    expect(row(rows, 'Kafka ack').meanMs).toBe(15);
    expect(row(rows, 'end to end').meanMs).toBe(40);
    expect(row(rows, 'ack and bookkeeping').meanMs).toBe(20);
  });

  it('has the segments on the path add up to the end-to-end mean', () => {
    const other: DeliveryTimeline = {
      sentAt: 0,
      respondedAt: 90,
      job: { addedAt: 50, activeAt: 400, completedAt: 900 },
      // The CRM event was created later but read first: the later-read one ends the path.
      crm: seen(700, 710),
      monitoring: seen(600, 800),
    };
    const rows = splitTimelines([one, other, { ...one, sentAt: 990 }]);
    const onPath = rows.filter((r) => r.onPath).reduce((sum, r) => sum + r.meanMs, 0);
    expect(onPath).toBeCloseTo(row(rows, 'end to end').meanMs, 9);
    // 5 ms, 0 ms (the later-read event was the first created), 5 ms.
    expect(row(rows, 'between the publishes').meanMs).toBeCloseTo(10 / 3, 9);
    expect(row(rows, 'end to end').count).toBe(3);
  });

  it('leaves out deliveries with an event missing or no job times', () => {
    const rows = splitTimelines([
      one,
      { ...one, monitoring: undefined },
      { ...one, job: { addedAt: 1003 } },
      { ...one, job: undefined },
    ]);
    expect(rows.every((r) => r.count === 1)).toBe(true);
  });

  it('counts a segment only where both its ends are known', () => {
    const rows = splitTimelines([
      one,
      { ...one, respondedAt: undefined, job: { addedAt: 1003, activeAt: 1010 } },
    ]);
    expect(row(rows, 'queue pickup').count).toBe(2);
    expect(row(rows, 'intake answered').count).toBe(1);
    expect(row(rows, 'ack and bookkeeping').count).toBe(1);
  });
});
