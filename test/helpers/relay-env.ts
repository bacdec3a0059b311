import type { Simulator } from '../sim/index.ts';
import { kafkaBrokers, redisEnv } from './services.ts';

/** What every relay process a test starts needs: this run's Redis and Kafka, and the simulator as Atlassian. */
export function relayServiceEnv(
  sim: Pick<Simulator, 'url' | 'clientId' | 'clientSecret'>,
): Record<string, string> {
  return {
    ...redisEnv(),
    KAFKA_BROKERS: kafkaBrokers().join(','),
    ATLASSIAN_AUTH_URL: sim.url,
    ATLASSIAN_API_URL: sim.url,
    ATLASSIAN_CLIENT_ID: sim.clientId,
    ATLASSIAN_CLIENT_SECRET: sim.clientSecret,
  };
}
