import { createHmac, createSecretKey, type KeyObject, timingSafeEqual } from 'node:crypto';
import { verifyHubSignature } from './hub-signature.ts';

type WebhookAuthMethod = 'jwt' | 'hmac';

/** Why a delivery was refused; also the `error` code of the 401 body and a metric label. */
type WebhookAuthFailure =
  | 'missing_credentials'
  | 'unsupported_auth_method'
  | 'jwt_invalid'
  | 'jwt_expired'
  | 'jwt_algorithm'
  | 'jwt_lifetime'
  | 'jwt_audience'
  | 'jwt_issuer'
  | 'signature_invalid'
  | 'signature_method'
  | 'hmac_not_configured';

type WebhookAuthResult =
  | {
      readonly ok: true;
      readonly method: WebhookAuthMethod;
      /** The site a JWT names as its issuer (`iss: jira:{cloudId}`), when it names one. */
      readonly cloudId?: string;
    }
  | { readonly ok: false; readonly reason: WebhookAuthFailure };

export interface WebhookAuthOptions {
  /** ATLASSIAN_CLIENT_SECRET: dynamic (OAuth) webhooks carry a bearer JWT signed with it. */
  readonly clientSecret: string;
  /** JIRA_WEBHOOK_SECRET: admin webhooks carry `X-Hub-Signature: sha256=<hex HMAC of the raw body>`. */
  readonly webhookSecret: string | undefined;
  readonly clockSkewSeconds: number;
  /** ATLASSIAN_CLIENT_ID: a JWT's `aud`, when present, must name it; absent: any `aud` is refused. */
  readonly clientId?: string;
  /** WEBHOOK_JWT_MAX_AGE_SECONDS: how old a JWT without `exp` may be, by its `iat`. */
  readonly maxAgeSeconds?: number;
  /** WEBHOOK_JWT_MAX_LIFETIME_SECONDS: the longest `exp - iat` (or `exp - now` without `iat`) accepted. */
  readonly maxLifetimeSeconds?: number;
  readonly now?: () => number;
}

export type WebhookAuthenticator = (
  headers: Readonly<Record<string, string | string[] | undefined>>,
  rawBody: Buffer | string,
) => Promise<WebhookAuthResult>;

/**
 * Authenticates a delivery from its headers and raw bytes, before anything parses the body.
 * Only HS256 JWTs are accepted (no `none`, no RS/ES confusion), with the claims `claimsProblem`
 * requires.
 */
export function createWebhookAuthenticator(opts: WebhookAuthOptions): WebhookAuthenticator {
  const jwtKey = createSecretKey(Buffer.from(opts.clientSecret, 'utf8'));
  const jwtHeaders = new JwtHeaderCache();
  const now = opts.now ?? Date.now;
  const policy: ClaimsPolicy = {
    clientId: opts.clientId,
    skew: opts.clockSkewSeconds,
    maxAge: opts.maxAgeSeconds ?? defaultMaxAgeSeconds,
    maxLifetime: opts.maxLifetimeSeconds ?? defaultMaxLifetimeSeconds,
  };
  return async (headers, rawBody) => {
    const authorization = single(headers.authorization);
    const signature = single(headers['x-hub-signature']);
    if (authorization !== undefined) return verifyJwt(authorization, jwtKey, jwtHeaders, policy, now());
    if (signature !== undefined) return verifyHmac(signature, rawBody, opts.webhookSecret);
    return { ok: false, reason: 'missing_credentials' };
  };
}

/** The defaults of WEBHOOK_JWT_MAX_AGE_SECONDS and WEBHOOK_JWT_MAX_LIFETIME_SECONDS. */
const defaultMaxAgeSeconds = 900;
const defaultMaxLifetimeSeconds = 3600;

interface ClaimsPolicy {
  readonly clientId: string | undefined;
  readonly skew: number;
  readonly maxAge: number;
  readonly maxLifetime: number;
}

/**
 * HS256 verification with node:crypto's synchronous HMAC. jose does the same through WebCrypto,
 * whose per-call job dispatch took a third of the intake's CPU under load; the rules are the same:
 * exactly three base64url parts, `alg` HS256 and nothing else, no `crit`, a constant-time signature
 * compare, then the claims.
 */
function verifyJwt(
  authorization: string,
  key: KeyObject,
  headers: JwtHeaderCache,
  policy: ClaimsPolicy,
  nowMs: number,
): WebhookAuthResult {
  const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
  if (!match?.[1]) return { ok: false, reason: 'unsupported_auth_method' };
  const parts = match[1].split('.');
  if (parts.length !== 3) return { ok: false, reason: 'jwt_invalid' };
  const [headerPart = '', payloadPart = '', signaturePart = ''] = parts;
  const header = headers.decode(headerPart);
  if (!header) return { ok: false, reason: 'jwt_invalid' };
  if (header.alg !== 'HS256' || header.crit !== undefined) return { ok: false, reason: 'jwt_algorithm' };
  const expected = createHmac('sha256', key).update(`${headerPart}.${payloadPart}`).digest();
  const given = Buffer.from(signaturePart, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, reason: 'jwt_invalid' };
  const claims = decodeJson(payloadPart);
  if (!claims) return { ok: false, reason: 'jwt_invalid' };
  const problem = claimsProblem(claims, policy, nowMs / 1000);
  if (problem) return { ok: false, reason: problem };
  const cloudId = typeof claims.iss === 'string' ? claims.iss.slice(jiraIssuerPrefix.length) : undefined;
  return cloudId ? { ok: true, method: 'jwt', cloudId } : { ok: true, method: 'jwt' };
}

/** `jira:{cloudId}`: what Jira is seen to put in `iss`; cloud ids are UUIDs. */
const jiraIssuerPrefix = 'jira:';
const jiraIssuer = /^jira:[A-Za-z0-9-]{1,64}$/;

/**
 * The JWT does not cover the body, so a captured token could carry any body for as long as it is
 * accepted: it must end (`exp`, or an `iat` younger than maxAge), and not be made to last longer
 * than maxLifetime. Atlassian documents no claims; `aud` and `iss` are checked when present, in the
 * shapes observed (`aud` the client id, `iss` `jira:{cloudId}`).
 */
function claimsProblem(
  claims: Record<string, unknown>,
  policy: ClaimsPolicy,
  now: number,
): WebhookAuthFailure | undefined {
  const { exp, iat, nbf, aud, iss } = claims;
  if (!isOptionalNumber(exp) || !isOptionalNumber(iat) || !isOptionalNumber(nbf)) return 'jwt_invalid';
  if (nbf !== undefined && nbf - policy.skew > now) return 'jwt_invalid';
  if (iat !== undefined && iat - policy.skew > now) return 'jwt_invalid';
  const expiry = expiryProblem(exp, iat, policy, now);
  if (expiry) return expiry;
  if (aud !== undefined && !namesAudience(aud, policy.clientId)) return 'jwt_audience';
  if (iss !== undefined && !(typeof iss === 'string' && jiraIssuer.test(iss))) return 'jwt_issuer';
  return undefined;
}

/** A token must end: by `exp`, or, without it, `maxAge` after `iat`; and never last over `maxLifetime`. */
function expiryProblem(
  exp: number | undefined,
  iat: number | undefined,
  policy: ClaimsPolicy,
  now: number,
): WebhookAuthFailure | undefined {
  if (exp === undefined) {
    if (iat === undefined) return 'jwt_lifetime';
    return iat + policy.maxAge + policy.skew <= now ? 'jwt_expired' : undefined;
  }
  if (exp + policy.skew <= now) return 'jwt_expired';
  // Without `iat` the lifetime left is measured on our clock, so the skew is allowed on top.
  const lifetime = iat === undefined ? exp - now - policy.skew : exp - iat;
  return lifetime > policy.maxLifetime ? 'jwt_lifetime' : undefined;
}

function isOptionalNumber(value: unknown): value is number | undefined {
  return value === undefined || (typeof value === 'number' && Number.isFinite(value));
}

/** RFC 7519: `aud` is one string or an array of them. */
function namesAudience(aud: unknown, clientId: string | undefined): boolean {
  if (clientId === undefined) return false;
  return aud === clientId || (Array.isArray(aud) && aud.includes(clientId));
}

/**
 * Decoded JWT headers by their base64url text. A sender signs every token with the same header,
 * so decoding it once per distinct text saves a third of the non-HMAC work of a check. Bounded:
 * forged headers cannot grow it past `max` entries.
 */
class JwtHeaderCache {
  readonly #decoded = new Map<string, Record<string, unknown> | undefined>();
  readonly #max: number;

  constructor(max = 16) {
    this.#max = max;
  }

  decode(part: string): Record<string, unknown> | undefined {
    if (this.#decoded.has(part)) return this.#decoded.get(part);
    const header = decodeJson(part);
    if (this.#decoded.size >= this.#max) this.#decoded.clear();
    this.#decoded.set(part, header);
    return header;
  }
}

function decodeJson(part: string): Record<string, unknown> | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(part)) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function verifyHmac(header: string, rawBody: Buffer | string, secret: string | undefined): WebhookAuthResult {
  const check = verifyHubSignature(header, rawBody, secret === undefined ? [] : [secret]);
  if (check.ok) return { ok: true, method: 'hmac' };
  // A well-formed signature with no shared secret to check it against: configured nowhere.
  if (secret === undefined && check.reason !== 'signature_method')
    return { ok: false, reason: 'hmac_not_configured' };
  return { ok: false, reason: check.reason };
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
