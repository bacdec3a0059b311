import type { Simulator } from '../sim/index.ts';
import { kafkaBrokers, redisEnv } from './services.ts';

type SimulatorApp = Pick<Simulator, 'url' | 'clientId' | 'clientSecret'>;

/** The simulator as Atlassian: its URL for OAuth and the API, and the app's client id and secret. */
export function atlassianEnv(sim: SimulatorApp) {
  return {
    ATLASSIAN_AUTH_URL: sim.url,
    ATLASSIAN_API_URL: sim.url,
    ATLASSIAN_CLIENT_ID: sim.clientId,
    ATLASSIAN_CLIENT_SECRET: sim.clientSecret,
  };
}

/** What every relay process a test starts needs: this run's Redis and Kafka, and the simulator as Atlassian. */
export function relayServiceEnv(sim: SimulatorApp): Record<string, string> {
  return {
    ...redisEnv(),
    KAFKA_BROKERS: kafkaBrokers().join(','),
    ...atlassianEnv(sim),
  };
}
