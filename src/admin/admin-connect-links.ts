import { z } from 'zod';
import type { ConnectLink } from '../atlassian/oauth/connect-link-store.ts';
import { type AdminRoute, defineRoute } from './admin-route.ts';
import { errorResponses } from './admin-schemas.ts';

export interface ConnectLinkRouteDeps {
  readonly connectLinks: {
    issue(link: ConnectLink, now: number): Promise<{ token: string; expiresAt: number }>;
  };
  /** PUBLIC_URL: links point at `${PUBLIC_URL}/oauth/start`. */
  readonly publicUrl: string;
  readonly now?: () => number;
}

const linkBody = z.strictObject({
  site: z
    .string()
    .regex(/^[A-Za-z0-9.-]+\.[A-Za-z]{2,}$/, 'a site host such as acme.atlassian.net')
    .transform((host) => host.toLowerCase())
    .nullable()
    .default(null)
    .describe('The one site the consent may connect; null: any site OAUTH_ALLOWED_SITES allows.'),
});
const linkSchema = z.object({
  url: z.string().describe('Open it in a browser once, before it expires, to connect the site.'),
  site: z.string().nullable(),
  expiresAt: z.number().int().describe('Epoch ms.'),
});

/** Where a connect link sends the browser. */
export function connectLinkUrl(publicUrl: string, token: string): string {
  return `${publicUrl}/oauth/start?link=${token}`;
}

/** A single-use connect link: the only way into the OAuth consent (`/oauth/start`). */
export function connectLinkRoutes(deps: ConnectLinkRouteDeps): AdminRoute[] {
  const now = deps.now ?? Date.now;
  return [
    defineRoute({
      method: 'POST',
      path: '/connect-links',
      summary: 'Issue a single-use link that starts the Atlassian consent, for one site or any allowed site.',
      body: linkBody,
      responses: { 201: { description: 'The link.', schema: linkSchema }, 400: errorResponses.invalid },
      async handle({ body, log }) {
        const { token, expiresAt } = await deps.connectLinks.issue({ site: body.site }, now());
        log.info({ site: body.site, expiresAt }, 'connect link issued');
        return {
          status: 201,
          body: { url: connectLinkUrl(deps.publicUrl, token), site: body.site, expiresAt },
        };
      },
    }),
  ];
}
