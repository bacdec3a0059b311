import { createHmac, timingSafeEqual } from 'node:crypto';

export type HubSignatureCheck =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: 'signature_method' | 'signature_invalid' };

/**
 * `X-Hub-Signature: sha256=<hex>` of the raw body, as Jira signs admin webhooks, checked against
 * each candidate secret (a connection's current and, during a rotation, its previous one) in
 * constant time. Anything but sha256 fails closed: Jira may change the method one day.
 */
export function verifyHubSignature(
  header: string,
  rawBody: Buffer | string,
  secrets: readonly string[],
): HubSignatureCheck {
  const separator = header.indexOf('=');
  const method = header.slice(0, Math.max(separator, 0)).trim();
  const hex = header.slice(separator + 1).trim();
  if (separator < 0 || method !== 'sha256') return { ok: false, reason: 'signature_method' };
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) return { ok: false, reason: 'signature_invalid' };
  const given = Buffer.from(hex, 'hex');
  let matched = false;
  for (const secret of secrets) {
    // Every candidate is checked, so the time does not say which one matched.
    if (timingSafeEqual(createHmac('sha256', secret).update(rawBody).digest(), given)) matched = true;
  }
  return matched ? { ok: true } : { ok: false, reason: 'signature_invalid' };
}
