import { createHmac } from 'node:crypto';

/** Admin webhooks' X-Hub-Signature value: sha256=<lowercase hex HMAC-SHA256(secret, raw body)>. */
export function hubSignature(secret: string, body: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}
