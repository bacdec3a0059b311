import { relayAdminToken } from './relay-process.ts';

/**
 * The operator's and the browser's part of the OAuth consent, as they would do it against a relay
 * and the simulator with auto-consent: a connect link from the admin API, then /oauth/start, the
 * simulator's /authorize, and back to /oauth/callback with the state cookie.
 */
export async function consentThroughSimulator(
  relayUrl: string,
  adminToken = relayAdminToken,
  site: string | null = null,
): Promise<{ status: number; html: string }> {
  const link = await fetch(`${relayUrl}/admin/api/connect-links`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ site }),
  });
  if (link.status !== 201) throw new Error(`connect link answered ${link.status}: ${await link.text()}`);
  const { url } = (await link.json()) as { url: string };
  const start = await fetch(url, { redirect: 'manual' });
  const cookie = (start.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const authorize = await fetch(start.headers.get('location') ?? '', { redirect: 'manual' });
  const callback = await fetch(authorize.headers.get('location') ?? '', {
    headers: { cookie },
    redirect: 'manual',
  });
  return { status: callback.status, html: await callback.text() };
}
