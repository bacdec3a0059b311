import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AdminCredentials } from './admin-credentials.ts';
import { type AuthAttempt, type AuthThrottle, unavailableRetrySeconds } from './auth-throttle.ts';
import { type LoginView, loginPage } from './login-page.ts';

export interface LoginRouteDeps {
  readonly credentials: AdminCredentials;
  readonly cookie: { readonly name: string; readonly secure: boolean; readonly maxAge: number };
  readonly isOperator: (request: FastifyRequest) => boolean;
  /** Counts presented tokens per address and refuses to check more once too many were wrong. */
  readonly throttle?: AuthThrottle;
  readonly now: () => number;
}

const loginForm = z.object({
  token: z.string().max(4096).catch(''),
  next: z.string().max(2048).optional().catch(undefined),
});

/** Where a sign-in may send the browser: a path of this admin surface, never another site. */
const safeNext = /^\/admin(?:\/[\w\-.~%!$&'()*+,;=:@/?]*)?$/;
const home = '/admin/queues';

/**
 * GET/POST /admin/login (inside the admin scope, so paths are relative to /admin) and POST
 * /admin/logout. The cookie holds a signed session value, never the token; HttpOnly keeps scripts
 * from reading it and SameSite=Strict keeps other sites from riding on it (no cross-site POSTs).
 */
export function registerLoginRoutes(scope: FastifyInstance, deps: LoginRouteDeps): void {
  const cookieOptions = {
    path: '/admin',
    httpOnly: true,
    sameSite: 'strict',
    secure: deps.cookie.secure,
  } as const;

  scope.get('/login', async (request, reply) => {
    const next = target((request.query as Record<string, unknown>).next);
    if (deps.isOperator(request)) return reply.redirect(next, 303);
    return page(reply, 200, { next, failed: false });
  });

  scope.post('/login', async (request, reply) => {
    const form = loginForm.parse(request.body ?? {});
    const next = target(form.next);
    // Counted before it is checked, like a bearer token (admin-plugin.ts).
    const attempt: AuthAttempt = deps.throttle ? await deps.throttle.admit(request.ip) : { kind: 'admitted' };
    if (attempt.kind === 'refused') {
      request.log.warn({ ip: request.ip }, 'admin sign-in refused: too many wrong tokens');
      const wait = attempt.retryAfterSeconds;
      return page(reply.header('retry-after', String(wait)), 429, {
        next,
        failed: true,
        retryAfterSeconds: wait,
      });
    }
    if (attempt.kind === 'unavailable') {
      request.log.error({ err: attempt.err }, 'admin sign-in not checked: the failure count is unavailable');
      const wait = unavailableRetrySeconds;
      return page(reply.header('retry-after', String(wait)), 503, { next, failed: false, unavailable: true });
    }
    if (!deps.credentials.matchesToken(form.token)) {
      request.log.warn({ ip: request.ip }, 'admin sign-in refused');
      return page(reply, 401, { next, failed: true });
    }
    await deps.throttle?.forgive(request.ip);
    reply.setCookie(deps.cookie.name, deps.credentials.issueSession(deps.now()), {
      ...cookieOptions,
      maxAge: deps.cookie.maxAge,
    });
    request.log.info({ ip: request.ip }, 'admin signed in');
    return reply.redirect(next, 303);
  });

  scope.post('/logout', async (_request, reply) => {
    reply.clearCookie(deps.cookie.name, cookieOptions);
    return reply.redirect('/admin/login', 303);
  });
}

function target(next: unknown): string {
  if (typeof next !== 'string' || !safeNext.test(next) || next.startsWith('/admin/login')) return home;
  return next;
}

function page(reply: FastifyReply, status: number, view: LoginView): FastifyReply {
  return reply
    .status(status)
    .header('cache-control', 'no-store')
    .type('text/html; charset=utf-8')
    .send(loginPage(view));
}
