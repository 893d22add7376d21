import type { RequestHandler, Request } from 'express';
import { NotFoundError } from '../errors';
import { hasRole, type Role } from './auth';

/**
 * Who may do what to which consultation: the one authorisation rule for staff, used by every staff route.
 *
 * Staff accounts belong to one organisation (a department or team); rounds and consultations belong to one
 * organisation, and a survey belongs to its consultation's. Officers and analysts act only on their own
 * organisation's rounds, consultations and surveys; admins act on every organisation's. A resource outside the
 * actor's scope is a 404, exactly like one that does not exist, so its existence is not revealed.
 *
 * A consultation may also be shared with other organisations by an admin: their staff may then `view` and
 * `analyse` it (and its surveys), never manage or moderate it.
 *
 * Records written before organisations existed, and staff never given one, belong to DEFAULT_ORGANISATION_ID
 * (created at start by the accounts module): the migration is a default on read, so it needs no data rewrite.
 */
export const DEFAULT_ORGANISATION_ID = 'default';

/**
 * - `view`: see a draft round or consultation and its surveys in staff pages and public previews.
 * - `manage`: create and edit rounds, consultations, reports and surveys, publish, invite.
 * - `moderate`: hide, show and reply to comments.
 * - `analyse`: read responses, analysis pages and exports.
 * - `administer`: move it to another organisation (admins only).
 */
export type Action = 'view' | 'manage' | 'moderate' | 'analyse' | 'administer';

const ROLES_FOR: Record<Action, Role[]> = {
  view: ['officer', 'analyst'],
  manage: ['officer'],
  moderate: ['officer'],
  analyse: ['officer', 'analyst'],
  administer: ['admin'],
};

/** The part of the signed-in user the rule reads. */
export interface ScopedActor {
  roles: Role[];
  organisationId?: string;
}

/** Anything that belongs to an organisation: a round, a consultation, a survey (its consultation's). */
export interface ScopedResource {
  organisationId?: string;
  /** Other organisations an admin gave read access (view, analyse) to. */
  sharedWith?: readonly string[];
}

/** What sharing gives another organisation's staff. */
const SHARED_ACTIONS: ReadonlySet<Action> = new Set<Action>(['view', 'analyse']);

/** The organisation a record belongs to (records from before organisations belong to the default one). */
export function organisationOf(record: ScopedResource | ScopedActor): string {
  return record.organisationId || DEFAULT_ORGANISATION_ID;
}

/**
 * Whether `actor` may do `action` on `resource`: the role the action needs (admins hold every role), and, unless
 * the actor is an admin, the same organisation. A missing resource is never allowed.
 */
export function can(
  actor: ScopedActor | undefined,
  action: Action,
  resource: ScopedResource | null | undefined,
): boolean {
  if (!actor || !resource) return false;
  if (!hasRole(actor as never, ...ROLES_FOR[action])) return false;
  if (actor.roles.includes('admin')) return true;
  const own = organisationOf(actor);
  if (own === organisationOf(resource)) return true;
  return SHARED_ACTIONS.has(action) && (resource.sharedWith ?? []).includes(own);
}

/**
 * The organisations whose drafts `actor` may see in lists that a query filters (the public listing seen by staff):
 * 'all' for admins, the actor's own for other staff, none for everyone else. The same rule as can(…, 'view', …).
 */
export function draftScope(actor: ScopedActor | undefined): 'all' | string[] {
  if (!actor || !hasRole(actor as never, ...ROLES_FOR.view)) return [];
  return actor.roles.includes('admin') ? 'all' : [organisationOf(actor)];
}

/** can(), or a 404 (never a 403: out of scope looks like absent). Returns the resource for chaining. */
export function assertCan<T extends ScopedResource>(
  actor: ScopedActor | undefined,
  action: Action,
  resource: T | null | undefined,
): T {
  if (!can(actor, action, resource)) throw new NotFoundError();
  return resource as T;
}

/** Keeps the items of a staff list that `actor` may `action`. */
export function visibleTo<T extends ScopedResource>(
  actor: ScopedActor | undefined,
  action: Action,
  items: T[],
): T[] {
  return items.filter((item) => can(actor, action, item));
}

/**
 * Middleware: resolves the resource a route addresses (null when there is none) and lets the request through only
 * if can(req.user, action, resource). Mount it on a path prefix so every route under it is covered.
 */
export function requireAccess(
  action: Action,
  resolve: (req: Request) => Promise<ScopedResource | null>,
): RequestHandler {
  return (req, _res, next) => {
    resolve(req).then(
      (resource) => next(can(req.user, action, resource) ? undefined : new NotFoundError()),
      next,
    );
  };
}
