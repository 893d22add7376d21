import type { Connection } from 'mongoose';

/**
 * Ends a user's sessions by deleting their documents from the `sessions` collection (platform/http/session-store.ts),
 * on every app instance at once. The store repeats Passport's user id at the top level (`userId`), so one filter
 * finds them. This is the one query on sessions that is not by `_id` (a scan on FerretDB), which is fine: it runs
 * on a password change, reset, deactivation or deletion, never on an ordinary request. We chose this over a
 * per-user "session version" checked on each request because the session then keeps holding only the user id, and
 * the user document is already loaded on every request (deactivation and role changes are enforced there).
 */
export class SessionRevoker {
  constructor(private readonly connection: Connection) {}

  /** Deletes every session of `userId`, except `keepSessionId` (the one making the change) when given. */
  async endSessions(userId: string, keepSessionId?: string): Promise<number> {
    const user = String(userId);
    // The raw driver bypasses mongoose's sanitizeFilter; both values are validated strings built by us.
    // Sessions written by connect-mongo (before the store kept `userId`) have the id only inside the session.
    const filter: Record<string, unknown> = { $or: [{ userId: user }, { 'session.passport.user': user }] };
    if (keepSessionId) filter._id = { $ne: String(keepSessionId) };
    const result = await this.connection.collection('sessions').deleteMany(filter);
    return result.deletedCount;
  }
}
