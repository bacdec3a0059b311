import { escapeHtml } from '../http/escape-html.ts';

export interface LoginView {
  readonly next: string;
  readonly failed: boolean;
  readonly retryAfterSeconds?: number;
  /** Tokens cannot be checked now (Redis cannot keep the failure count). */
  readonly unavailable?: boolean;
}

/** The dashboard's sign-in form: one field, the ADMIN_TOKEN, posted to /admin/login. */
export function loginPage(opts: LoginView): string {
  const error = opts.unavailable
    ? '<p class="error" role="alert">Sign-in is unavailable right now. Try again in a moment.</p>'
    : opts.retryAfterSeconds
      ? `<p class="error" role="alert">Too many wrong tokens from this address. Try again in ${Math.ceil(opts.retryAfterSeconds / 60)} min.</p>`
      : opts.failed
        ? '<p class="error" role="alert">That token is not valid.</p>'
        : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>jira-relay admin: sign in</title>
<style>
body{font-family:system-ui,sans-serif;background:#f4f5f7;margin:0;display:flex;min-height:100vh;align-items:center;justify-content:center}
form{background:#fff;padding:2rem;border-radius:8px;box-shadow:0 1px 4px rgba(0,0,0,.15);width:22rem}
h1{font-size:1.25rem;margin:0 0 1rem}label{display:block;margin-bottom:.4rem}
input{width:100%;box-sizing:border-box;padding:.5rem;font-size:1rem;margin-bottom:1rem}
button{padding:.5rem 1rem;font-size:1rem;background:#0052cc;color:#fff;border:0;border-radius:4px;cursor:pointer}
.error{color:#bf2600}
</style></head><body>
<form method="post" action="/admin/login">
<h1>jira-relay admin</h1>${error}
<label for="token">Admin token</label>
<input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
<input type="hidden" name="next" value="${escapeHtml(opts.next)}">
<button type="submit">Sign in</button>
</form></body></html>`;
}
