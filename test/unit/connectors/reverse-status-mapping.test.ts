import { describe, expect, it } from 'vitest';
import {
  jiraStatusesMappedElsewhere,
  jiraStatusesMappedTo,
  splitStatusRefs,
  statusTargets,
} from '../../../connectors/reverse-status-mapping.ts';
import { mapping } from '../../helpers/connector-fixtures.ts';

const statuses = mapping({
  statuses: new Map([
    ['to do', 'open'],
    ['10003', 'working'],
    ['in review', 'working'],
    ['done', 'closed'],
  ]),
});

describe('the status mapping read backwards', () => {
  it('lists the targets once each, in file order', () => {
    expect(statusTargets(statuses)).toEqual(['open', 'working', 'closed']);
    expect(statusTargets(mapping())).toEqual([]);
  });

  it('gives the Jira statuses mapped to a target, and those mapped elsewhere', () => {
    expect(jiraStatusesMappedTo(statuses, 'working')).toEqual(['10003', 'in review']);
    expect(jiraStatusesMappedTo(statuses, 'Working')).toEqual([]);
    expect(jiraStatusesMappedElsewhere(statuses, 'working')).toEqual(['to do', 'done']);
  });

  it('tells status ids (all digits) from names', () => {
    expect(splitStatusRefs(['10003', 'in review', '3 done'])).toEqual({
      ids: ['10003'],
      names: ['in review', '3 done'],
    });
  });
});
