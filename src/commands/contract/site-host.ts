/** Why a value is not what a field asks for; the caller prefixes the field's name. */
export interface Problem {
  readonly problem: string;
}

/** True for a `Problem` rather than a value. */
export function isProblem(value: unknown): value is Problem {
  return typeof value === 'object' && value !== null && 'problem' in value;
}

const label = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * The target site of a command (`ce_jirasite`): a DNS host name such as `acme.atlassian.net` (or a
 * custom domain), lower-cased. At least two labels of letters, digits and inner hyphens, at most
 * 253 characters, and not an IP address: the site is named as Jira names it, not by where it lives.
 */
export function parseSiteHost(text: string): string | Problem {
  const host = text.toLowerCase();
  if (/^[a-z][a-z0-9+.-]*:\/\//.test(host))
    return { problem: 'a host name like acme.atlassian.net, not a URL' };
  const labels = host.split('.');
  const valid =
    host.length <= 253 &&
    labels.length >= 2 &&
    labels.every((part) => label.test(part)) &&
    !/^[0-9]+$/.test(labels.at(-1) ?? '');
  return valid ? host : { problem: `${quote(text)} is not a host name like acme.atlassian.net` };
}

/** A value for a reason line: JSON-quoted (so it stays on one line) and cut to 80 characters. */
export function quote(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 79)}…` : value);
}
