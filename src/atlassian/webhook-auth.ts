import { createHmac, timingSafeEqual } from 'node:crypto';
import { errors as joseErrors, jwtVerify } from 'jose';

export type WebhookAuthMethod = 'jwt' | 'hmac';

/** Why a delivery was refused; also the `error` code of the 401 body and a metric label. */
export type WebhookAuthFailure =
  | 'missing_credentials'
  | 'unsupported_auth_method'
  | 'jwt_invalid'
  | 'jwt_expired'
  | 'jwt_algorithm'
  | 'signature_invalid'
  | 'signature_method'
  | 'hmac_not_configured';

export type WebhookAuthResult =
  | { readonly ok: true; readonly method: WebhookAuthMethod }
  | { readonly ok: false; readonly reason: WebhookAuthFailure };

export interface WebhookAuthOptions {
  /** ATLASSIAN_CLIENT_SECRET: dynamic (OAuth) webhooks carry a bearer JWT signed with it. */
  readonly clientSecret: string;
  /** JIRA_WEBHOOK_SECRET: admin webhooks carry `X-Hub-Signature: sha256=<hex HMAC of the raw body>`. */
  readonly webhookSecret: string | undefined;
  readonly clockSkewSeconds: number;
}

export type WebhookAuthenticator = (
  headers: Readonly<Record<string, string | string[] | undefined>>,
  rawBody: Buffer,
) => Promise<WebhookAuthResult>;

/**
 * Authenticates a delivery from its headers and raw bytes, before anything parses the body.
 * Only HS256 JWTs are accepted (no `none`, no RS/ES confusion); `exp` is checked when present.
 */
export function createWebhookAuthenticator(opts: WebhookAuthOptions): WebhookAuthenticator {
  const jwtKey = new TextEncoder().encode(opts.clientSecret);
  return async (headers, rawBody) => {
    const authorization = single(headers.authorization);
    const signature = single(headers['x-hub-signature']);
    if (authorization !== undefined) return verifyJwt(authorization, jwtKey, opts.clockSkewSeconds);
    if (signature !== undefined) return verifyHmac(signature, rawBody, opts.webhookSecret);
    return { ok: false, reason: 'missing_credentials' };
  };
}

async function verifyJwt(
  authorization: string,
  key: Uint8Array,
  clockSkew: number,
): Promise<WebhookAuthResult> {
  const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
  if (!match?.[1]) return { ok: false, reason: 'unsupported_auth_method' };
  try {
    await jwtVerify(match[1], key, { algorithms: ['HS256'], clockTolerance: clockSkew });
    return { ok: true, method: 'jwt' };
  } catch (err) {
    if (err instanceof joseErrors.JWTExpired) return { ok: false, reason: 'jwt_expired' };
    if (err instanceof joseErrors.JOSEAlgNotAllowed) return { ok: false, reason: 'jwt_algorithm' };
    return { ok: false, reason: 'jwt_invalid' };
  }
}

function verifyHmac(header: string, rawBody: Buffer, secret: string | undefined): WebhookAuthResult {
  const separator = header.indexOf('=');
  const method = header.slice(0, Math.max(separator, 0)).trim();
  const hex = header.slice(separator + 1).trim();
  // Jira may change the HMAC method one day: anything but sha256 fails closed.
  if (separator < 0 || method !== 'sha256') return { ok: false, reason: 'signature_method' };
  if (secret === undefined) return { ok: false, reason: 'hmac_not_configured' };
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) return { ok: false, reason: 'signature_invalid' };
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  return timingSafeEqual(expected, Buffer.from(hex, 'hex'))
    ? { ok: true, method: 'hmac' }
    : { ok: false, reason: 'signature_invalid' };
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** `sha256=<hex>` for a body, as Jira signs admin webhooks. */
export function signHubSignature(secret: string, rawBody: Buffer | string): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`;
}
