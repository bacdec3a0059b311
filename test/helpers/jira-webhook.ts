import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SignJWT } from 'jose';

const examples = path.resolve(import.meta.dirname, '../fixtures/webhooks');

/** The three real Jira Cloud bodies in test/fixtures/webhooks (site some-instance-test.atlassian.net). */
export function realWebhookBody(
  name: 'comment_created' | 'issue_created' | 'issue_updated',
): Record<string, unknown> {
  const file = {
    comment_created: 'comment_created__mattermost-plugin-jira-cloud.json',
    issue_created: 'jira_issue_created__mattermost-plugin-jira-issue-created.json',
    issue_updated: 'jira_issue_updated__mattermost-plugin-jira-status-todo-to-inprogress.json',
  }[name];
  return JSON.parse(readFileSync(path.join(examples, file), 'utf8')) as Record<string, unknown>;
}

/** A bearer JWT like the ones Jira puts on dynamic-webhook deliveries (HS256, client secret). */
export async function webhookJwt(
  secret: string,
  opts: { expiresInSeconds?: number; alg?: 'HS256' | 'HS384' | 'HS512' } = {},
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: opts.alg ?? 'HS256', typ: 'JWT' })
    .setIssuedAt(now)
    .setIssuer('jira:4b6a1c2e-9f0d-4e5a-8b7c-1d2e3f4a5b6c')
    .setExpirationTime(now + (opts.expiresInSeconds ?? 900))
    .sign(new TextEncoder().encode(secret));
}

/** `X-Hub-Signature` of an admin webhook: `sha256=` and the hex HMAC of the raw body. */
export function signHubSignature(secret: string, rawBody: Buffer | string): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`;
}
