import { describe, expect, it } from 'vitest';
import { commentListPoints, SiteModel } from '../../../bench/planner-10k/site-model.ts';

const MIN = 60_000;
const shape = { overlapMs: 2 * MIN, pageSize: 100 };

describe('the modelled poll', () => {
  it('costs one point for a search that finds nothing, one more per issue it reads', () => {
    const site = new SiteModel(5, 0);
    expect(site.poll(10 * MIN, shape).points).toBe(1);
    site.change(1, 11 * MIN, true);
    site.change(2, 12 * MIN, true);
    expect(site.poll(20 * MIN, shape)).toMatchObject({ issues: 2, points: 3 });
  });

  it('re-reads, while nothing newer comes, what changed within the overlap before its cursor', () => {
    const site = new SiteModel(5, 0);
    site.change(0, 10 * MIN, true);
    site.change(1, 11 * MIN, true);
    site.poll(15 * MIN, shape);
    // The cursor is at 11 min: issues updated since 9 min are read again.
    expect(site.poll(30 * MIN, shape)).toMatchObject({ issues: 2, points: 3, sightings: [] });
    site.change(2, 40 * MIN, true);
    site.poll(45 * MIN, shape);
    expect(site.poll(60 * MIN, shape).issues).toBe(1);
  });

  it('publishes a lost change at the next poll, and counts how long it waited', () => {
    const site = new SiteModel(5, 0);
    site.change(3, 10 * MIN, false);
    expect(site.poll(9 * MIN, shape).recovered).toEqual([]);
    const found = site.poll(25 * MIN, shape);
    expect(found.recovered).toEqual([{ lostAt: 10 * MIN, afterMs: 15 * MIN, by: 'poll' }]);
    expect(found.sightings).toEqual([{ issue: 3, version: 10 * MIN }]);
    expect(site.lost).toEqual([]);
  });

  it('lets a later delivered webhook of the same issue overtake a lost change', () => {
    const site = new SiteModel(5, 0);
    site.change(3, 10 * MIN, false);
    site.change(4, 11 * MIN, false);
    expect(site.change(3, 12 * MIN, true)).toEqual([{ lostAt: 10 * MIN, afterMs: 2 * MIN, by: 'webhook' }]);
    expect(site.lost.map((l) => l.issue)).toEqual([4]);
  });

  it('fetches a long comment list once per version, whether a webhook or the poll published it', () => {
    const long = commentListPoints(25);
    const site = new SiteModel(2, 0, [long, 0]);
    site.change(0, 10 * MIN, true);
    expect(site.poll(15 * MIN, shape).commentPoints).toBe(long);
    // The poll read the webhook's version completely: it is known now, as the real poll records it.
    expect(site.poll(30 * MIN, shape).commentPoints).toBe(0);
    site.change(0, 40 * MIN, false);
    expect(site.poll(45 * MIN, shape).commentPoints).toBe(long);
    expect(site.poll(60 * MIN, shape).commentPoints).toBe(0);
  });

  it('lists the projects again only once the cache expired', () => {
    const site = new SiteModel(1, 0);
    site.projectsListedAt(0);
    expect(site.listsProjects(59 * MIN, 60 * MIN)).toBe(false);
    expect(site.listsProjects(60 * MIN, 60 * MIN)).toBe(true);
    expect(site.listsProjects(61 * MIN, 60 * MIN)).toBe(false);
  });
});

describe('what a comment list costs', () => {
  it('is nothing up to the 20 a search embeds, then a point per page and per comment', () => {
    expect(commentListPoints(20)).toBe(0);
    expect(commentListPoints(25)).toBe(26);
    expect(commentListPoints(250)).toBe(253);
  });
});
