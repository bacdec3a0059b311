import { describe, expect, it } from 'vitest';
import { findServices, type ServiceProbes } from '../global-setup.ts';

/** A machine as the setup sees it: which ports answer and which tools exist. */
function machine(o: { up?: string[]; java?: boolean; maven?: boolean }) {
  const asked: string[] = [];
  const probes: ServiceProbes = {
    reachable: async (host, port) => {
      asked.push(`reachable ${host}:${port}`);
      return (o.up ?? []).includes(`${host}:${port}`);
    },
    containerRuntime: async () => {
      asked.push('containerRuntime');
      return undefined;
    },
    has: async (command) => {
      asked.push(`has ${command}`);
      return command === 'java' ? Boolean(o.java) : command === 'mvn' ? Boolean(o.maven) : false;
    },
  };
  return { probes, asked };
}

const ENV = { REDIS_URL: 'redis://127.0.0.1:6390', KAFKA_BROKERS: '127.0.0.1:9099' };

async function failure(env: Record<string, string>, probes: ServiceProbes): Promise<string> {
  const stops: Array<() => Promise<unknown>> = [];
  const error = await findServices(stops, env, probes).then(
    () => undefined,
    (err: Error) => err,
  );
  expect(error).toBeInstanceOf(Error);
  expect(stops).toEqual([]); // nothing was started before failing
  return (error as Error).message;
}

describe('test global setup: finding Redis and Kafka', () => {
  it('names every missing service in one message, with what to install or export for each', async () => {
    const { probes } = machine({});
    const message = await failure(ENV, probes);
    expect(message).toContain('No Redis answers at 127.0.0.1:6390 (REDIS_URL)');
    expect(message).toContain('apt-get install redis-server');
    expect(message).toContain('export REDIS_URL');
    expect(message).toContain('No Kafka answers at 127.0.0.1:9099 (KAFKA_BROKERS)');
    expect(message).toContain('Install a JDK 17 and Maven (then test/infra/kafka.sh start)');
    expect(message).toContain('export KAFKA_BROKERS');
  });

  it('names only Redis when Kafka answers, and only Kafka when Redis answers', async () => {
    const redisOnly = await failure(ENV, machine({ up: ['127.0.0.1:9099'] }).probes);
    expect(redisOnly).toContain('No Redis answers');
    expect(redisOnly).not.toContain('Kafka');
    const kafkaOnly = await failure(ENV, machine({ up: ['127.0.0.1:6390'], java: true }).probes);
    expect(kafkaOnly).toContain('No Kafka answers');
    expect(kafkaOnly).not.toContain('Redis');
  });

  it('fails on a missing Redis before starting the local Kafka broker', async () => {
    const { probes } = machine({ java: true, maven: true });
    const message = await failure(ENV, probes);
    expect(message).toContain('No Redis answers');
    expect(message).not.toContain('Kafka');
  });

  it('uses the services that answer as they are, asking for nothing else', async () => {
    const { probes, asked } = machine({ up: ['127.0.0.1:6390', '127.0.0.1:9099'] });
    const stops: Array<() => Promise<unknown>> = [];
    const found = await findServices(
      stops,
      { ...ENV, KAFKA_BROKERS: '127.0.0.1:9099, 127.0.0.1:9098' },
      probes,
    );
    expect(found).toEqual({
      redisUrl: 'redis://127.0.0.1:6390',
      kafkaBrokers: ['127.0.0.1:9099', '127.0.0.1:9098'],
    });
    expect(asked).toEqual(['reachable 127.0.0.1:6390', 'reachable 127.0.0.1:9099']);
    expect(stops).toEqual([]);
  });

  it('defaults to the local Redis and broker when nothing is exported', async () => {
    const { probes } = machine({ up: ['127.0.0.1:6379', '127.0.0.1:9092'] });
    expect(await findServices([], {}, probes)).toEqual({
      redisUrl: 'redis://127.0.0.1:6379',
      kafkaBrokers: ['127.0.0.1:9092'],
    });
  });
});
