/**
 * The browser's part of the OAuth consent, as a user's browser would do it against a relay and the
 * simulator with auto-consent: /oauth/start, the simulator's /authorize, back to /oauth/callback
 * with the state cookie.
 */
export async function consentThroughSimulator(relayUrl: string): Promise<{ status: number; html: string }> {
  const start = await fetch(`${relayUrl}/oauth/start`, { redirect: 'manual' });
  const cookie = (start.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const authorize = await fetch(start.headers.get('location') ?? '', { redirect: 'manual' });
  const callback = await fetch(authorize.headers.get('location') ?? '', {
    headers: { cookie },
    redirect: 'manual',
  });
  return { status: callback.status, html: await callback.text() };
}
