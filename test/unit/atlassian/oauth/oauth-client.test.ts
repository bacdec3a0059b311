import { describe, expect, it } from 'vitest';
import { AtlassianOAuthClient } from '../../../../src/atlassian/oauth/oauth-client.ts';

describe('the authorize URL', () => {
  it('carries every parameter Atlassian requires, with space-separated scopes', () => {
    const client = new AtlassianOAuthClient({
      authUrl: 'https://auth.example',
      apiUrl: 'https://api.example',
      clientId: 'cid',
      clientSecret: 'secret',
      redirectUri: 'https://relay.example/oauth/callback',
      scopes: ['read:jira-work', 'offline_access'],
      timeoutMs: 1000,
    });
    const url = new URL(client.authorizeUrl('state-123'));
    expect(`${url.origin}${url.pathname}`).toBe('https://auth.example/authorize');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      audience: 'api.atlassian.com',
      client_id: 'cid',
      scope: 'read:jira-work offline_access',
      redirect_uri: 'https://relay.example/oauth/callback',
      state: 'state-123',
      response_type: 'code',
      prompt: 'consent',
    });
    expect(url.search).toContain('scope=read%3Ajira-work+offline_access');
    expect(url.search).not.toContain('secret');
  });
});
