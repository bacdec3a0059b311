import type { FastifyInstance } from 'fastify';
import type { SimContext } from '../context.ts';
import { avatarUrls } from '../render/view.ts';
import { requireScopes } from './bearer.ts';
import { chargeIdentityObjects } from './cost.ts';
import { jiraCall } from './jira-gate.ts';

/**
 * GET myself: the consenting user, with the timeZone that JQL date strings are read in. It returns
 * one user, an identity object: 1 + 2 = 3 points.
 */
export function registerMyselfRoutes(app: FastifyInstance, _ctx: SimContext): void {
  app.get('/myself', async (request, reply) => {
    const { caller, user, view } = jiraCall(request);
    if (!requireScopes(caller, reply, 'read:jira-user')) return reply;
    chargeIdentityObjects(request, 1);
    const expand = String((request.query as Record<string, unknown>).expand ?? '');
    return {
      self: `${view.base}/user?accountId=${user.accountId}`,
      accountId: user.accountId,
      accountType: 'atlassian',
      emailAddress: user.email,
      avatarUrls: avatarUrls(user.displayName),
      displayName: user.displayName,
      active: true,
      timeZone: user.timeZone,
      locale: user.locale,
      groups: {
        size: 1,
        items: expand.includes('groups') ? [{ name: 'jira-software-users', groupId: 'a1b2' }] : [],
      },
      applicationRoles: { size: 1, items: [] },
      expand: 'groups,applicationRoles',
    };
  });
}
