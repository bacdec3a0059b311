/**
 * Helpers for tests that need a token from the simulator without running the relay's OAuth flow:
 * they walk /authorize (auto-consent) and the code exchange exactly as a client would.
 */
const DEFAULT_SCOPES = [
  'read:jira-work',
  'write:jira-work',
  'read:jira-user',
  'manage:jira-webhook',
  'offline_access',
  'read:me',
];

export interface TokenPair {
  access_token: string;
  refresh_token?: string;
  expires_in: number;
  scope: string;
  token_type: string;
}

export interface AuthorizeOptions {
  scopes?: string[];
  redirectUri?: string;
  /** Account id or email of the user who consents. */
  loginHint?: string;
  clientId?: string;
  clientSecret?: string;
}

/** Runs /authorize and returns the code from the redirect. */
export async function authorizeCode(simUrl: string, o: AuthorizeOptions = {}): Promise<string> {
  const params = new URLSearchParams({
    audience: 'api.atlassian.com',
    client_id: o.clientId ?? 'sim-client-id',
    scope: (o.scopes ?? DEFAULT_SCOPES).join(' '),
    redirect_uri: o.redirectUri ?? 'http://127.0.0.1/callback',
    state: 'test-state',
    response_type: 'code',
    prompt: 'consent',
  });
  if (o.loginHint) params.set('login_hint', o.loginHint);
  const res = await fetch(`${simUrl}/authorize?${params}`, { redirect: 'manual' });
  const location = res.headers.get('location');
  const code = location ? new URL(location).searchParams.get('code') : null;
  if (res.status !== 302 || !code) throw new Error(`authorize failed: ${res.status} ${location ?? ''}`);
  return code;
}

/** Consents and exchanges the code: a fresh token pair for the chosen account. */
export async function obtainTokens(simUrl: string, o: AuthorizeOptions = {}): Promise<TokenPair> {
  const code = await authorizeCode(simUrl, o);
  const res = await fetch(`${simUrl}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      grant_type: 'authorization_code',
      client_id: o.clientId ?? 'sim-client-id',
      client_secret: o.clientSecret ?? 'sim-client-secret',
      code,
      redirect_uri: o.redirectUri ?? 'http://127.0.0.1/callback',
    }),
  });
  if (res.status !== 200) throw new Error(`token exchange failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as TokenPair;
}

/** JSON read back over HTTP in tests, inspected field by field (assertions do the checking). */
// biome-ignore lint/suspicious/noExplicitAny: test bodies are checked by expect(), not by types
export type LooseJson = any;

/** One Jira REST v3 call through the simulator's gateway, as an app with `token` would make it. */
export async function jiraRequest(
  target: { simUrl: string; token: string; cloudId: string },
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: LooseJson }> {
  const res = await fetch(`${target.simUrl}/ex/jira/${target.cloudId}/rest/api/3${path}`, {
    method,
    headers: {
      authorization: `Bearer ${target.token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}
