import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createWebhookAuthenticator } from '../../../src/webhooks/webhook-auth.ts';
import { signHubSignature, webhookJwt } from '../../helpers/jira-webhook.ts';

const secret = 'client-secret';
const now = Date.UTC(2026, 0, 1);
const authenticate = createWebhookAuthenticator({
  clientSecret: secret,
  webhookSecret: "It's a Secret to Everybody",
  clockSkewSeconds: 30,
  now: () => now,
});
const body = Buffer.from('Hello World!');

function token(header: object, claims: object, key = secret): string {
  const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const signingInput = `${enc(header)}.${enc(claims)}`;
  return `${signingInput}.${createHmac('sha256', key).update(signingInput).digest('base64url')}`;
}
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
const nowS = now / 1000;

describe('webhook authentication', () => {
  it("matches Atlassian's HMAC test vector", async () => {
    const signature = 'sha256=a4771c39fbe90f317c7824e83ddef3caae9cb3d976c214ace1f2937e133263c9';
    expect(signHubSignature("It's a Secret to Everybody", body)).toBe(signature);
    expect(await authenticate({ 'x-hub-signature': signature }, body)).toEqual({ ok: true, method: 'hmac' });
  });

  it('accepts uppercase hex and refuses a truncated signature', async () => {
    const signature = 'sha256=A4771C39FBE90F317C7824E83DDEF3CAAE9CB3D976C214ACE1F2937E133263C9';
    expect((await authenticate({ 'x-hub-signature': signature }, body)).ok).toBe(true);
    expect(await authenticate({ 'x-hub-signature': signature.slice(0, -2) }, body)).toEqual({
      ok: false,
      reason: 'signature_invalid',
    });
  });

  it('refuses HMAC deliveries when no webhook secret is configured', async () => {
    const noSecret = createWebhookAuthenticator({
      clientSecret: secret,
      webhookSecret: undefined,
      clockSkewSeconds: 0,
    });
    expect(await noSecret({ 'x-hub-signature': signHubSignature('x', body) }, body)).toEqual({
      ok: false,
      reason: 'hmac_not_configured',
    });
  });

  it('accepts a JWT signed by jose (interoperability)', async () => {
    const real = createWebhookAuthenticator({
      clientSecret: secret,
      webhookSecret: undefined,
      clockSkewSeconds: 30,
    });
    expect(await real(bearer(await webhookJwt(secret)), body)).toEqual({ ok: true, method: 'jwt' });
  });

  it.each([
    ['valid, no exp', { alg: 'HS256' }, {}, { ok: true, method: 'jwt' }],
    ['valid, exp ahead', { alg: 'HS256', typ: 'JWT' }, { exp: nowS + 60 }, { ok: true, method: 'jwt' }],
    ['exp inside the skew', { alg: 'HS256' }, { exp: nowS - 10 }, { ok: true, method: 'jwt' }],
    ['exp past the skew', { alg: 'HS256' }, { exp: nowS - 31 }, { ok: false, reason: 'jwt_expired' }],
    ['exp not a number', { alg: 'HS256' }, { exp: 'soon' }, { ok: false, reason: 'jwt_invalid' }],
    ['nbf in the future', { alg: 'HS256' }, { nbf: nowS + 120 }, { ok: false, reason: 'jwt_invalid' }],
    ['HS384', { alg: 'HS384' }, {}, { ok: false, reason: 'jwt_algorithm' }],
    ['alg none', { alg: 'none' }, {}, { ok: false, reason: 'jwt_algorithm' }],
    ['crit header', { alg: 'HS256', crit: ['x'], x: 1 }, {}, { ok: false, reason: 'jwt_algorithm' }],
  ])('JWT %s', async (_name, header, claims, expected) => {
    expect(await authenticate(bearer(token(header, claims)), body)).toEqual(expected);
  });

  it.each([
    ['signed with another secret', () => token({ alg: 'HS256' }, {}, 'other')],
    ['two parts', () => token({ alg: 'HS256' }, {}).split('.').slice(0, 2).join('.')],
    ['four parts', () => `${token({ alg: 'HS256' }, {})}.x`],
    [
      'a payload that is not JSON',
      () => {
        const [h, , s] = token({ alg: 'HS256' }, {}).split('.');
        return `${h}.bm90IGpzb24.${s}`;
      },
    ],
    ['an array payload', () => token({ alg: 'HS256' }, [] as unknown as object)],
    ['non-base64url characters', () => 'a+b.c/d.e=f'],
  ])('refuses a JWT %s', async (_name, make) => {
    expect(await authenticate(bearer(make()), body)).toMatchObject({ ok: false });
  });

  it('prefers the bearer token when both are present, and needs one of them', async () => {
    expect(
      await authenticate(
        { ...bearer('x.y.z'), 'x-hub-signature': signHubSignature("It's a Secret to Everybody", body) },
        body,
      ),
    ).toEqual({ ok: false, reason: 'jwt_invalid' });
    expect(await authenticate({}, body)).toEqual({ ok: false, reason: 'missing_credentials' });
  });
});
