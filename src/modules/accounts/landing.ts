import type { AuthenticatedUser } from '../../platform/http/auth';

/**
 * Where a person lands after signing in (when no safe returnTo was given): staff on their workspace, everyone else
 * on their dashboard. The first matching role wins, so an officer who is also an analyst lands on the officer
 * workspace (its navigation links to analysis).
 */
export function landingPath(user: Pick<AuthenticatedUser, 'roles'>): string {
  const roles = user.roles;
  if (roles.includes('officer')) return '/officer';
  if (roles.includes('analyst')) return '/analysis';
  if (roles.includes('admin')) return '/admin/users';
  if (roles.includes('reviewer')) return '/review';
  return '/account';
}
