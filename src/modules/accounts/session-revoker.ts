import type { Connection } from 'mongoose';

/**
 * Ends a user's sessions by deleting them from connect-mongo's `sessions` collection. Sessions are stored as
 * objects (stringify: false), with Passport's user id at `session.passport.user`, so one indexed-free delete finds
 * them all, on every app instance at once. We chose this over a per-user "session version" checked on each request
 * because the session then keeps holding only the user id, and the user document is already loaded on every request
 * (deactivation and role changes are enforced there).
 */
export class SessionRevoker {
  constructor(private readonly connection: Connection) {}

  /** Deletes every session of `userId`, except `keepSessionId` (the one making the change) when given. */
  async endSessions(userId: string, keepSessionId?: string): Promise<number> {
    // The raw driver bypasses mongoose's sanitizeFilter; both values are validated strings built by us.
    const filter: Record<string, unknown> = { 'session.passport.user': String(userId) };
    if (keepSessionId) filter._id = { $ne: String(keepSessionId) };
    const result = await this.connection.collection('sessions').deleteMany(filter);
    return result.deletedCount;
  }
}
