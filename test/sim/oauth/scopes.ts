/** Classic scopes the simulated app has added in the developer console. */
export const appScopes: ReadonlySet<string> = new Set([
  'read:jira-work',
  'write:jira-work',
  'read:jira-user',
  'manage:jira-webhook',
  'manage:jira-project',
  'manage:jira-configuration',
  'offline_access',
  'read:me',
]);

/** Scopes that belong to Jira (listed per site in accessible-resources). */
export function jiraScopes(scopes: readonly string[]): string[] {
  return scopes.filter((s) => s.includes('jira'));
}
