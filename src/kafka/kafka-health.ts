import type { Kafka } from 'kafkajs';

/**
 * A readiness check for Kafka: one connected admin client, asked for cluster metadata on every
 * check (a broker that accepts connections but cannot answer metadata is not ready).
 */
export function kafkaReadiness(kafka: Kafka): { check(): Promise<void>; close(): Promise<void> } {
  const admin = kafka.admin();
  let connected: Promise<void> | undefined;
  return {
    async check() {
      connected ??= admin.connect().catch((err: unknown) => {
        connected = undefined;
        throw err;
      });
      await connected;
      const cluster = await admin.describeCluster();
      if (cluster.brokers.length === 0) throw new Error('no brokers in the cluster metadata');
    },
    async close() {
      if (connected) await admin.disconnect();
    },
  };
}
