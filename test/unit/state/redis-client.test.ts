import { Cluster, Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../config/load-config.ts';
import {
  bullPrefix,
  createRedisClient,
  familyPrefix,
  isCluster,
  slotTag,
} from '../../../src/state/redis-client.ts';
import { validEnv } from '../../helpers/valid-env.ts';

const single = { REDIS_URL: 'redis://127.0.0.1:6379', QUEUE_PREFIX: 'jira-relay' };
const cluster = { ...single, REDIS_CLUSTER_NODES: ['127.0.0.1:7000', '127.0.0.1:7001'] };

describe('REDIS_CLUSTER_NODES: which client, and where keys hash', () => {
  it('parses host:port seeds and names the variable when one is not', () => {
    expect(
      loadConfig(validEnv({ REDIS_CLUSTER_NODES: '10.0.0.1:7000, redis-b:7001' })).REDIS_CLUSTER_NODES,
    ).toEqual(['10.0.0.1:7000', 'redis-b:7001']);
    expect(loadConfig(validEnv({})).REDIS_CLUSTER_NODES).toBeUndefined();
    expect(() => loadConfig(validEnv({ REDIS_CLUSTER_NODES: '10.0.0.1' }))).toThrow(/REDIS_CLUSTER_NODES/);
  });

  it('makes a cluster client with the URL credentials only when seeds are given', () => {
    const plain = createRedisClient(single, { lazyConnect: true });
    const seeded = createRedisClient(
      { ...cluster, REDIS_URL: 'rediss://relay:s%40cret@ignored:6379' },
      { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 2 },
    );
    try {
      expect(plain).toBeInstanceOf(Redis);
      expect(seeded).toBeInstanceOf(Cluster);
      const options = (seeded as Cluster).options;
      expect(options.redisOptions).toMatchObject({
        username: 'relay',
        password: 's@cret',
        tls: {},
        maxRetriesPerRequest: 2,
      });
      expect(options).toMatchObject({ enableOfflineQueue: false, lazyConnect: true, scaleReads: 'master' });
    } finally {
      plain.disconnect();
      seeded.disconnect();
    }
  });

  it('tags keys on a cluster only, so a single Redis keeps the key names it had', () => {
    const plain = createRedisClient(single, { lazyConnect: true });
    const seeded = createRedisClient(cluster, { lazyConnect: true });
    try {
      expect(isCluster(single)).toBe(false);
      expect(isCluster(cluster)).toBe(true);
      expect(bullPrefix(single)).toBe('jira-relay');
      expect(bullPrefix(cluster)).toBe('{jira-relay}');
      expect(bullPrefix({ ...cluster, QUEUE_PREFIX: '{relay}-prod' })).toBe('{relay}-prod');
      expect(slotTag(plain, 'acme.atlassian.net')).toBe('acme.atlassian.net');
      expect(slotTag(seeded, 'acme.atlassian.net')).toBe('{acme.atlassian.net}');
      expect(familyPrefix(plain, 'jira-relay', 'grants')).toBe('jira-relay');
      expect(familyPrefix(seeded, 'jira-relay', 'grants')).toBe('jira-relay:{grants}');
    } finally {
      plain.disconnect();
      seeded.disconnect();
    }
  });
});
