import type { FastifyRequest } from 'fastify';

/**
 * Points a request costs: 1 plus the objects it returned (2026 model). Core objects (issues,
 * projects, comments...) cost 1 point each, identity objects (users, groups, roles, permissions) 2
 * each. Routes report the objects; the rate limiter charges once the response is sent.
 */
const objects = new WeakMap<FastifyRequest, number>();

/** Points per identity object returned (atlassian-facts §3: a member page of 8 users = 17 points). */
const IDENTITY_OBJECT_POINTS = 2;

/** Core objects returned: 1 point each. */
export function chargeObjects(request: FastifyRequest, count: number): void {
  objects.set(request, (objects.get(request) ?? 0) + count);
}

/** Identity objects returned (users, groups, roles, permissions): 2 points each. */
export function chargeIdentityObjects(request: FastifyRequest, count: number): void {
  chargeObjects(request, count * IDENTITY_OBJECT_POINTS);
}

export function objectsReturned(request: FastifyRequest): number {
  return objects.get(request) ?? 0;
}
