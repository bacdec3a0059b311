import { createHmac } from 'node:crypto';
import { mutate } from '../../test/helpers/fuzz-mutate.ts';

/** A request the fuzzer sends: method POST, a path, raw header pairs (repeats allowed), a body. */
export interface FuzzCase {
  readonly kind: string;
  readonly path: string;
  readonly headers: string[];
  readonly body: Buffer;
}

export interface CaseInputs {
  readonly bodies: readonly Record<string, unknown>[];
  readonly hubSecret: string;
  readonly validJwt: string;
  readonly connectionIds: readonly string[];
}

const sign = (secret: string, body: Buffer) =>
  `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
const json = ['content-type', 'application/json'];
const pick = <T>(items: readonly T[], rand: () => number): T => items[Math.floor(rand() * items.length)] as T;

/** One fuzz case; the kinds are issue 17's: signatures valid and not, junk, depth, headers, types. */
export function fuzzCase(rand: () => number, inputs: CaseInputs): FuzzCase {
  const base = pick(inputs.bodies, rand);
  const body = Buffer.from(JSON.stringify(rand() < 0.5 ? base : mutate(base, rand)));
  const id = ['x-atlassian-webhook-identifier', `fuzz-${Math.floor(rand() * 1e9)}`];
  const r = rand();
  if (r < 0.2)
    return {
      kind: 'hmac-valid',
      path: '/webhooks/jira',
      headers: [...json, ...id, 'x-hub-signature', sign(inputs.hubSecret, body)],
      body,
    };
  if (r < 0.3)
    return {
      kind: 'hmac-invalid',
      path: '/webhooks/jira',
      headers: [...json, ...id, 'x-hub-signature', sign('wrong', body)],
      body,
    };
  if (r < 0.4)
    return {
      kind: 'jwt-valid',
      path: '/webhooks/jira',
      headers: [...json, ...id, 'authorization', `Bearer ${inputs.validJwt}`],
      body,
    };
  if (r < 0.47)
    return {
      kind: 'jwt-invalid',
      path: '/webhooks/jira',
      headers: [...json, 'authorization', `Bearer ${inputs.validJwt.slice(0, -4)}AAAA`],
      body,
    };
  if (r < 0.55) {
    const junk = Buffer.from(
      Array.from({ length: Math.floor(rand() * 4000) }, () => Math.floor(rand() * 256)),
    );
    return {
      kind: 'junk',
      path: '/webhooks/jira',
      headers: [...json, 'x-hub-signature', sign(inputs.hubSecret, junk)],
      body: junk,
    };
  }
  if (r < 0.62) {
    const n = 100 + Math.floor(rand() * 50_000);
    const deep = Buffer.from(`${JSON.stringify(base).slice(0, -1)},"x":${'['.repeat(n)}${']'.repeat(n)}}`);
    return {
      kind: 'deep',
      path: '/webhooks/jira',
      headers: [...json, 'x-hub-signature', sign(inputs.hubSecret, deep)],
      body: deep,
    };
  }
  if (r < 0.7)
    return {
      kind: 'huge-header',
      path: '/webhooks/jira',
      headers: [...json, 'x-pad', 'x'.repeat(8_000 + Math.floor(rand() * 40_000))],
      body,
    };
  if (r < 0.8) {
    const type = pick(
      [
        'text/plain',
        'application/xml',
        'multipart/form-data; boundary=x',
        'application/x-www-form-urlencoded',
        '',
      ],
      rand,
    );
    return {
      kind: 'content-type',
      path: '/webhooks/jira',
      headers: ['content-type', type, 'x-hub-signature', sign(inputs.hubSecret, body)],
      body,
    };
  }
  if (r < 0.9) {
    const twice = pick(
      ['authorization', 'x-hub-signature', 'content-type', 'x-atlassian-webhook-identifier'],
      rand,
    );
    const headers = [
      ...json,
      'x-hub-signature',
      sign(inputs.hubSecret, body),
      'authorization',
      `Bearer ${inputs.validJwt}`,
    ];
    return {
      kind: 'repeated-header',
      path: '/webhooks/jira',
      headers: [...headers, twice, 'second-value'],
      body,
    };
  }
  const connection = rand() < 0.5 ? pick(inputs.connectionIds, rand) : `x${Math.floor(rand() * 1e6)}`;
  return {
    kind: 'per-connection',
    path: `/webhooks/jira/${connection}`,
    headers: [...json, 'x-hub-signature', sign(inputs.hubSecret, body)],
    body,
  };
}
