import type { FastifyRequest } from 'fastify';

/**
 * Points a request costs: 1 plus the objects it returned (2026 model). Routes report the objects;
 * the rate limiter charges once the response is sent.
 */
const objects = new WeakMap<FastifyRequest, number>();

export function chargeObjects(request: FastifyRequest, count: number): void {
  objects.set(request, (objects.get(request) ?? 0) + count);
}

export function objectsReturned(request: FastifyRequest): number {
  return objects.get(request) ?? 0;
}
