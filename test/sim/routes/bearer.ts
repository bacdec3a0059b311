import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SimContext } from '../context.ts';
import type { AccessContext } from '../oauth/grant-store.ts';

/** The api.atlassian.com gateway's answer to a missing, expired or revoked token. */
const UNAUTHORIZED = { code: 401, message: 'Unauthorized' };

/** Reads the bearer token; sends 401 and returns undefined when it does not authenticate anyone. */
export function authenticate(
  ctx: SimContext,
  request: FastifyRequest,
  reply: FastifyReply,
): AccessContext | undefined {
  const header = request.headers.authorization ?? '';
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  const caller = match ? ctx.grants.authenticate(match[1] as string, ctx.clock.now()) : undefined;
  if (!caller) {
    reply.code(401).header('www-authenticate', 'Bearer realm="api.atlassian.com"').send(UNAUTHORIZED);
    return undefined;
  }
  return caller;
}

/** 401 "scope does not match" unless the token carries every listed classic scope. */
export function requireScopes(caller: AccessContext, reply: FastifyReply, ...needed: string[]): boolean {
  if (needed.every((s) => caller.scopes.includes(s))) return true;
  reply.code(401).send({ code: 401, message: 'Unauthorized; scope does not match' });
  return false;
}
