import { describe, expect, it } from 'vitest';
import { primaryPortForSlot } from '../../../helpers/fleet/clusters.ts';

// CLUSTER NODES after a failover: :7102 failed, its replica :7103 promoted, a migrating slot on :7100.
const nodes = `
8ac6 127.0.0.1:7101@17101 myself,master - 0 1796469005000 2 connected 5461-10922
3878 127.0.0.1:7103@17103 master - 0 1796469005164 7 connected 10923-16383
46bf 127.0.0.1:7102@17102 master,fail - 1796468985036 1796468984028 3 disconnected
f32d 127.0.0.1:7100@17100 master - 0 1796469005064 1 connected 0-5459 5460 [5461->-8ac6]
cd87 127.0.0.1:7105@17105 slave 8ac6 0 1796469005064 2 connected
`;

describe('primaryPortForSlot', () => {
  it('finds the connected primary serving a slot, by range or single slot', () => {
    expect(primaryPortForSlot(nodes, 12_184)).toBe(7103);
    expect(primaryPortForSlot(nodes, 0)).toBe(7100);
    expect(primaryPortForSlot(nodes, 5460)).toBe(7100);
    expect(primaryPortForSlot(nodes, 5461)).toBe(7101);
  });

  it('is undefined while a failed primary is the only one listed for the slot', () => {
    const beforeFailover = '46bf 127.0.0.1:7102@17102 master,fail - 1 1 3 disconnected 10923-16383';
    expect(primaryPortForSlot(beforeFailover, 12_184)).toBeUndefined();
  });
});
