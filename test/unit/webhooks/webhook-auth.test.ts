import { createHmac } from 'node:crypto';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { createWebhookAuthenticator } from '../../../src/webhooks/webhook-auth.ts';
import { signHubSignature } from '../../helpers/jira-webhook.ts';

const secret = 'client-secret';
const clientId = 'relay-client-id';
const cloudId = '4b6a1c2e-9f0d-4e5a-8b7c-1d2e3f4a5b6c';
const now = Date.UTC(2026, 0, 1);
const authenticate = createWebhookAuthenticator({
  clientSecret: secret,
  webhookSecret: "It's a Secret to Everybody",
  clockSkewSeconds: 30,
  clientId,
  maxAgeSeconds: 600,
  maxLifetimeSeconds: 3600,
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

  it('accepts a JWT signed by jose with the claims the simulator sends (interoperability)', async () => {
    const real = createWebhookAuthenticator({
      clientSecret: secret,
      webhookSecret: undefined,
      clockSkewSeconds: 30,
      clientId,
    });
    const issuedAt = Math.floor(Date.now() / 1000);
    const jwt = await new SignJWT({ context: { cloudId } })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer(`jira:${cloudId}`)
      .setAudience(clientId)
      .setSubject('account-1')
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + 900)
      .setJti('f00')
      .sign(new TextEncoder().encode(secret));
    expect(await real(bearer(jwt), body)).toEqual({ ok: true, method: 'jwt', cloudId });
  });

  const hs256 = { alg: 'HS256' };
  it.each([
    ['valid, exp ahead', { alg: 'HS256', typ: 'JWT' }, { exp: nowS + 60 }, { ok: true, method: 'jwt' }],
    ['valid, iat and exp', hs256, { iat: nowS - 5, exp: nowS + 895 }, { ok: true, method: 'jwt' }],
    ['exp inside the skew', hs256, { exp: nowS - 10 }, { ok: true, method: 'jwt' }],
    ['exp past the skew', hs256, { exp: nowS - 31 }, { ok: false, reason: 'jwt_expired' }],
    ['exp not a number', hs256, { exp: 'soon' }, { ok: false, reason: 'jwt_invalid' }],
    ['nbf in the future', hs256, { nbf: nowS + 120 }, { ok: false, reason: 'jwt_invalid' }],
    ['iat in the future', hs256, { iat: nowS + 120, exp: nowS + 600 }, { ok: false, reason: 'jwt_invalid' }],
    ['neither exp nor iat', hs256, {}, { ok: false, reason: 'jwt_lifetime' }],
    ['no exp, a young iat', hs256, { iat: nowS - 300 }, { ok: true, method: 'jwt' }],
    ['no exp, an old iat', hs256, { iat: nowS - 631 }, { ok: false, reason: 'jwt_expired' }],
    [
      'a lifetime over the maximum',
      hs256,
      { iat: nowS - 5, exp: nowS + 3596 },
      { ok: false, reason: 'jwt_lifetime' },
    ],
    ['no iat, exp too far ahead', hs256, { exp: nowS + 3631 }, { ok: false, reason: 'jwt_lifetime' }],
    ['aud this client', hs256, { exp: nowS + 60, aud: clientId }, { ok: true, method: 'jwt' }],
    [
      'aud a list with this client',
      hs256,
      { exp: nowS + 60, aud: ['x', clientId] },
      { ok: true, method: 'jwt' },
    ],
    [
      'aud another client',
      hs256,
      { exp: nowS + 60, aud: 'other-app' },
      { ok: false, reason: 'jwt_audience' },
    ],
    ['aud not a string', hs256, { exp: nowS + 60, aud: 7 }, { ok: false, reason: 'jwt_audience' }],
    [
      'iss jira:{cloudId}',
      hs256,
      { exp: nowS + 60, iss: `jira:${cloudId}` },
      { ok: true, method: 'jwt', cloudId },
    ],
    [
      'iss of another shape',
      hs256,
      { exp: nowS + 60, iss: 'https://evil.example' },
      { ok: false, reason: 'jwt_issuer' },
    ],
    [
      'iss jira: without a cloud id',
      hs256,
      { exp: nowS + 60, iss: 'jira:' },
      { ok: false, reason: 'jwt_issuer' },
    ],
    ['HS384', { alg: 'HS384' }, {}, { ok: false, reason: 'jwt_algorithm' }],
    ['alg none', { alg: 'none' }, {}, { ok: false, reason: 'jwt_algorithm' }],
    ['crit header', { alg: 'HS256', crit: ['x'], x: 1 }, {}, { ok: false, reason: 'jwt_algorithm' }],
  ])('JWT %s', async (_name, header, claims, expected) => {
    expect(await authenticate(bearer(token(header, claims)), body)).toEqual(expected);
  });

  it('refuses any aud when not given the client id, and has default lifetime limits', async () => {
    const bare = createWebhookAuthenticator({
      clientSecret: secret,
      webhookSecret: undefined,
      clockSkewSeconds: 0,
      now: () => now,
    });
    const withClaims = (extra: object) => bearer(token(hs256, { iat: nowS, exp: nowS + 900, ...extra }));
    expect(await bare(withClaims({}), body)).toEqual({ ok: true, method: 'jwt' });
    expect(await bare(withClaims({ aud: clientId }), body)).toEqual({ ok: false, reason: 'jwt_audience' });
    expect(await bare(withClaims({ exp: nowS + 3601 }), body)).toEqual({ ok: false, reason: 'jwt_lifetime' });
    const noExp = bearer(token(hs256, { iat: nowS - 901 }));
    expect(await bare(noExp, body)).toEqual({ ok: false, reason: 'jwt_expired' });
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
