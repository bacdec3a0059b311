/**
 * `node bench/fuzz-intake.ts`: 100,000 fuzzed deliveries (FUZZ_COUNT) against a real relay process
 * (`node src/main.ts`, ROLE=api) on a real port: valid and invalid signatures, junk, deep nesting,
 * huge and repeated headers, wrong content types, unknown connections. Prints the answers by kind
 * and status, the 500s (the goal: 0), whether the process crashed, and whether it then serves a
 * normal delivery. Exits 1 on any 500, crash or failed final delivery. Needs Redis and Kafka.
 */
import { createHmac } from 'node:crypto';
import http from 'node:http';
import { SignJWT } from 'jose';
import { realWebhookBody } from '../test/helpers/jira-webhook.ts';
import { prng } from '../test/helpers/prng.ts';
import { startRelay } from '../test/helpers/relay-process.ts';
import { type FuzzCase, fuzzCase } from './fuzz/cases.ts';

const total = Number(process.env.FUZZ_COUNT ?? 100_000);
const concurrency = Number(process.env.FUZZ_CONCURRENCY ?? 32);
const seed = Number(process.env.FUZZ_SEED ?? 20261205);
const hubSecret = 'fuzz-shared-secret-0123456789';
const runId = `fuzz-${process.pid}-${Date.now()}`;
const clientSecret = 'fuzz-client-secret';

const relay = await startRelay({
  ROLE: 'api',
  REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092',
  ATLASSIAN_CLIENT_ID: 'fuzz-client',
  ATLASSIAN_CLIENT_SECRET: clientSecret,
  JIRA_WEBHOOK_SECRET: hubSecret,
  JIRA_WEBHOOK_SECRET_SITES: '*',
  QUEUE_PREFIX: runId,
  LOG_LEVEL: 'fatal',
});
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
const now = Math.floor(Date.now() / 1000);
const validJwt = await new SignJWT({})
  .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
  .setIssuedAt(now)
  .setExpirationTime(now + 3600)
  .sign(new TextEncoder().encode(clientSecret));
const inputs = {
  bodies: [
    realWebhookBody('issue_created'),
    realWebhookBody('issue_updated'),
    realWebhookBody('comment_created'),
  ],
  hubSecret,
  validJwt,
  connectionIds: ['00000000-0000-4000-8000-000000000000'],
};

function send(c: FuzzCase): Promise<number> {
  return new Promise((resolve) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port: relay.port,
        method: 'POST',
        path: c.path,
        // Raw header pairs (so a header can repeat): Node then adds no Host of its own.
        headers: ['host', `127.0.0.1:${relay.port}`, ...c.headers],
        agent,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', () => resolve(-1)); // the server closed the connection (a refused header, say)
    req.end(c.body);
  });
}

const counts = new Map<string, number>();
const rand = prng(seed);
let next = 0;
const started = Date.now();
async function lane(): Promise<void> {
  while (next < total) {
    next++;
    const c = fuzzCase(rand, inputs);
    const status = await send(c);
    const key = `${c.kind} ${status}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
}
await Promise.all(Array.from({ length: concurrency }, lane));
const seconds = (Date.now() - started) / 1000;

const crashed = relay.child.exitCode !== null;
const body = JSON.stringify(realWebhookBody('issue_updated'));
const final = crashed
  ? 0
  : await send({
      kind: 'final',
      path: '/webhooks/jira',
      headers: [
        'content-type',
        'application/json',
        'x-hub-signature',
        `sha256=${createHmac('sha256', hubSecret).update(body).digest('hex')}`,
        'x-atlassian-webhook-identifier',
        `${runId}-final`,
      ],
      body: Buffer.from(body),
    });
const answers = [...counts].sort(([a], [b]) => a.localeCompare(b));
const fiveHundreds = answers.filter(([k]) => k.endsWith(' 500')).reduce((n, [, v]) => n + v, 0);
const other5xx = answers
  .filter(([k]) => /\s5\d\d$/.test(k) && !k.endsWith(' 500'))
  .reduce((n, [, v]) => n + v, 0);
for (const [key, n] of answers) console.log(`${key.padEnd(28)} ${n}`);
console.log(
  `fuzz: sent=${total} seconds=${seconds.toFixed(1)} rate=${Math.round(total / seconds)}/s answers_500=${fiveHundreds} other_5xx=${other5xx} crashed=${crashed} final_delivery=${final} seed=${seed}`,
);
agent.destroy();
await relay.stop();
process.exit(fiveHundreds === 0 && !crashed && final === 202 ? 0 : 1);
