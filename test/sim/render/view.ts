import type { SimUser } from '../model.ts';
import type { SiteStore } from '../state/site-store.ts';
import type { World } from '../state/world.ts';

/** What a rendering needs: where links point and whose time zone dates are shown in. */
export interface RenderView {
  readonly world: World;
  readonly store: SiteStore;
  /** Base of `self` links, e.g. https://api.atlassian.com/ex/jira/{cloudId}/rest/api/3. */
  readonly base: string;
  readonly timeZone: string;
}

const AVATAR = 'https://avatar-management--avatars.server-location.prod.public.atl-paas.net/initials';

export function avatarUrls(name: string): Record<string, string> {
  const initials = name
    .split(' ')
    .map((p) => p[0])
    .join('');
  const url = (size: number) => `${AVATAR}/${initials}-5.png?size=${size}&s=${size}`;
  return { '16x16': url(16), '24x24': url(24), '32x32': url(32), '48x48': url(48) };
}

/** UserDetails as embedded in issues and comments. */
function renderUserDetails(view: RenderView, user: SimUser): Record<string, unknown> {
  return {
    self: `${view.base}/user?accountId=${user.accountId}`,
    accountId: user.accountId,
    emailAddress: user.email,
    avatarUrls: avatarUrls(user.displayName),
    displayName: user.displayName,
    active: true,
    timeZone: user.timeZone,
    accountType: 'atlassian',
  };
}

export function renderUserById(view: RenderView, accountId: string | null): Record<string, unknown> | null {
  if (accountId === null) return null;
  const user = view.world.user(accountId);
  return user ? renderUserDetails(view, user) : null;
}
