import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../../../config/index.ts';
import { envVars } from '../../../config/schema.ts';

interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  ports?: string[];
  environment?: Record<string, string | number>;
}

const root = path.resolve(import.meta.dirname, '../../..');
const compose = parse(readFileSync(path.join(root, 'docker-compose.yml'), 'utf8')) as {
  services: Record<string, Service>;
};
const kafkaScript = readFileSync(path.join(root, 'test/infra/kafka.sh'), 'utf8');
const composeText = readFileSync(path.join(root, 'docker-compose.yml'), 'utf8');
const readme = readFileSync(path.join(root, 'README.md'), 'utf8');

describe('docker-compose.yml', () => {
  const { redis, kafka, relay } = compose.services;

  it('has redis, kafka and the relay built from the Dockerfile', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['kafka', 'redis', 'relay']);
    expect(relay?.build).toBe('.');
  });

  it('runs Redis 7 with AOF and noeviction, as BullMQ requires', () => {
    expect(redis?.image).toMatch(/^redis:7/);
    const command = (redis?.command ?? []).join(' ');
    expect(command).toContain('--appendonly yes');
    expect(command).toContain('--maxmemory-policy noeviction');
    expect(redis?.ports).toContain('6379:6379');
  });

  it('runs the same Kafka version as the local broker, single-node KRaft', () => {
    const localVersion = /KAFKA_VERSION="\$\{KAFKA_VERSION:-([\d.]+)\}"/.exec(kafkaScript)?.[1];
    expect(localVersion).toBeDefined();
    expect(kafka?.image).toBe(`apache/kafka:${localVersion}`);
    expect(kafka?.environment?.KAFKA_PROCESS_ROLES).toBe('broker,controller');
    expect(kafka?.environment?.KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR).toBe(1);
    expect(kafka?.ports).toContain('9092:9092');
  });

  it('passes the relay only variables the config schema knows, and every required one', () => {
    const env = relay?.environment ?? {};
    const known = new Set(Object.keys(envVars));
    for (const name of Object.keys(env)) expect(known, `${name} is not in the config schema`).toContain(name);
    for (const [name, v] of Object.entries(envVars)) {
      if (!v.schema.safeParse(undefined).success)
        expect(Object.keys(env), `${name} is required`).toContain(name);
    }
  });

  it('points the relay at the compose services and exposes its port', () => {
    const env = relay?.environment ?? {};
    expect(env.REDIS_URL).toBe('redis://redis:6379');
    expect(String(env.KAFKA_BROKERS).split(':')[0]).toBe('kafka');
    expect(relay?.ports).toContain(`${env.PORT}:${env.PORT}`);
  });

  it('refers only to README sections that exist', () => {
    const comments = composeText
      .split('\n')
      .filter((line) => line.trimStart().startsWith('#'))
      .join(' ');
    const cited = [...comments.matchAll(/README "([^"]+)"/g)].map((m) => m[1]);
    expect(cited.length).toBeGreaterThan(0);
    const headings = readme
      .split('\n')
      .filter((line) => /^#{1,6} /.test(line))
      .map((line) => line.replace(/^#+ /, '').trim());
    for (const section of cited) expect(headings, `README section "${section}"`).toContain(section);
  });

  it('gives values the config schema accepts once the secrets are filled in', () => {
    const env = Object.fromEntries(
      Object.entries(relay?.environment ?? {}).map(([k, v]) => [
        k,
        String(v).replace(/^\$\{(\w+):[-?]([^}]*)\}$/, '$2'),
      ]),
    );
    const config = loadConfig({
      ...env,
      ATLASSIAN_CLIENT_ID: 'id',
      ATLASSIAN_CLIENT_SECRET: 'secret',
      TOKEN_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64'),
      ADMIN_TOKEN: 'an-admin-token-of-length',
      JIRA_WEBHOOK_SECRET: undefined,
    });
    expect(config.KAFKA_BROKERS).toEqual(['kafka:19092']);
  });
});
