import crypto from 'node:crypto';
import net from 'node:net';
import type { Connection } from 'mongoose';
import type { Collection, Document } from 'mongodb';
import { isDuplicateKey } from '../../platform/db/duplicate-key';

/**
 * Flood detection and the challenge step (see docs/security.md, "Floods").
 *
 * - **Detection**: every anonymous submission attempt to a survey adds one to that survey's current window
 *   (`survey_flood_windows`, `_id` = `<surveyId>:<window start>`, one upsert + `$inc`). The survey is under a flood
 *   while this window or the previous one has reached the threshold, so the state lasts at least one whole window
 *   after the burst and reading it is two point reads.
 * - **Challenge**: while flooded, an anonymous web respondent's submission waits behind a challenge: a signed,
 *   time-limited token bound to the survey and to the respondent, with a small sum to answer (no JavaScript) or a
 *   proof of work that the page's script computes and sends by itself. A token is used once: its nonce is inserted
 *   in `survey_challenge_uses` by `_id` (a second use fails on the duplicate key).
 * - **Origin without the address**: responses flagged here keep a keyed hash of the client address (HMAC with the
 *   app's secret, so it cannot be reversed by trying every address) and a keyed hash of its network (/24 for IPv4,
 *   /48 for IPv6), which lets officers see that flagged responses came from one place without seeing where.
 */

export type FlagReason = 'flood' | 'address';
export type FlagChannel = 'web' | 'api';

/** Why a response was flagged and where it came from (never the address itself). */
export interface ResponseFlag {
  reason: FlagReason;
  at: Date;
  channel: FlagChannel;
  /** HMAC of the client address, 16 hex characters. */
  addressHash: string;
  /** HMAC of the client's network (/24, /48), 6 hex characters: "coarse origin". */
  network: string;
}

export interface FloodGuardOptions {
  secret: string;
  threshold: number;
  windowSeconds: number;
  /** How long a challenge may be answered. */
  challengeTtlMs?: number;
  /** Leading zero bits of SHA-256(token:counter) a proof of work must reach. */
  powBits?: number;
  now?: () => Date;
  cleanupIntervalMs?: number;
}

export interface Challenge {
  token: string;
  /** The sum to answer without JavaScript: a + b. */
  a: number;
  b: number;
  powBits: number;
}

interface WindowDoc extends Document {
  _id: string;
  surveyId: string;
  count: number;
  expiresAt: Date;
}

interface UseDoc extends Document {
  _id: string;
  expiresAt: Date;
}

export const FLOOD_WINDOWS_COLLECTION = 'survey_flood_windows';
export const CHALLENGE_USES_COLLECTION = 'survey_challenge_uses';

/** Leading zero bits of a digest. */
export function leadingZeroBits(digest: Buffer): number {
  let bits = 0;
  for (const byte of digest) {
    if (byte === 0) {
      bits += 8;
      continue;
    }
    return bits + Math.clz32(byte) - 24;
  }
  return bits;
}

/** The network a client address belongs to: /24 for IPv4 (and IPv4-mapped IPv6), /48 for IPv6. */
export function networkOf(address: string): string {
  const mapped = address.startsWith('::ffff:') ? address.slice(7) : address;
  if (net.isIPv4(mapped)) return `${mapped.split('.').slice(0, 3).join('.')}.0/24`;
  if (net.isIPv6(address)) {
    const [head = '', tail = ''] = address.split('::');
    const left = head ? head.split(':') : [];
    const right = tail ? tail.split(':') : [];
    const groups = address.includes('::')
      ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right]
      : left;
    return `${groups
      .slice(0, 3)
      .map((g) => g.padStart(4, '0'))
      .join(':')}::/48`;
  }
  return 'unknown';
}

export class FloodGuard {
  private readonly windows: Collection<WindowDoc>;
  private readonly uses: Collection<UseDoc>;
  private readonly now: () => Date;
  private readonly ttlMs: number;
  readonly powBits: number;
  private readonly timer: NodeJS.Timeout;

  constructor(
    connection: Connection,
    private readonly options: FloodGuardOptions,
  ) {
    this.windows = connection.collection(FLOOD_WINDOWS_COLLECTION) as unknown as Collection<WindowDoc>;
    this.uses = connection.collection(CHALLENGE_USES_COLLECTION) as unknown as Collection<UseDoc>;
    this.now = options.now ?? (() => new Date());
    this.ttlMs = options.challengeTtlMs ?? 15 * 60 * 1000;
    this.powBits = options.powBits ?? 16;
    this.timer = setInterval(
      () => void this.deleteEnded().catch(() => undefined),
      options.cleanupIntervalMs ?? 60_000,
    );
    this.timer.unref();
  }

  get threshold(): number {
    return this.options.threshold;
  }

  private windowStart(offset = 0): number {
    const ms = this.options.windowSeconds * 1000;
    return (Math.floor(this.now().getTime() / ms) + offset) * ms;
  }

  /** Counts one anonymous submission attempt to the survey; says whether the survey is now under a flood. */
  async record(surveyId: string): Promise<{ flooded: boolean; count: number }> {
    const start = this.windowStart();
    const ms = this.options.windowSeconds * 1000;
    const id = `${surveyId}:${start}`;
    const inc = () =>
      this.windows.findOneAndUpdate(
        { _id: id },
        { $inc: { count: 1 }, $setOnInsert: { surveyId, expiresAt: new Date(start + 2 * ms) } },
        { upsert: true, returnDocument: 'after' },
      );
    const doc = await inc().catch((error: unknown) => {
      if (!isDuplicateKey(error)) throw error;
      return inc(); // two first upserts raced (MongoDB): now a plain increment
    });
    const count = doc?.count ?? 1;
    if (count >= this.options.threshold) return { flooded: true, count };
    const previous = await this.windows.findOne({ _id: `${surveyId}:${start - ms}` });
    return { flooded: (previous?.count ?? 0) >= this.options.threshold, count };
  }

  /** The survey's state without counting anything (for officers). */
  async status(surveyId: string): Promise<{ flooded: boolean; current: number; previous: number }> {
    const ms = this.options.windowSeconds * 1000;
    const start = this.windowStart();
    const [current, previous] = await Promise.all([
      this.windows.findOne({ _id: `${surveyId}:${start}` }),
      this.windows.findOne({ _id: `${surveyId}:${start - ms}` }),
    ]);
    const c = current?.count ?? 0;
    const p = previous?.count ?? 0;
    return { flooded: Math.max(c, p) >= this.options.threshold, current: c, previous: p };
  }

  private hmac(text: string): string {
    return crypto.createHmac('sha256', this.options.secret).update(text).digest('hex');
  }

  /** What a flagged response keeps of its origin: keyed hashes, never the address. */
  flag(reason: FlagReason, channel: FlagChannel, address: string): ResponseFlag {
    return {
      reason,
      channel,
      at: this.now(),
      addressHash: this.hmac(`flood-address:${address}`).slice(0, 16),
      network: this.hmac(`flood-network:${networkOf(address)}`).slice(0, 6),
    };
  }

  /** A new challenge for this respondent of this survey. */
  issue(surveyId: string, respondentKey: string): Challenge {
    const a = crypto.randomInt(2, 10);
    const b = crypto.randomInt(2, 10);
    const body = Buffer.from(
      JSON.stringify({
        s: surveyId,
        r: this.hmac(`flood-respondent:${respondentKey}`).slice(0, 16),
        n: crypto.randomBytes(12).toString('base64url'),
        e: this.now().getTime() + this.ttlMs,
        a,
        b,
      }),
    ).toString('base64url');
    return { token: `${body}.${this.hmac(`challenge:${body}`).slice(0, 32)}`, a, b, powBits: this.powBits };
  }

  /** The challenge a token carries, if its signature, survey, respondent and time are right. */
  read(
    surveyId: string,
    respondentKey: string,
    token: string,
  ): Challenge & { nonce: string; expires: number } {
    const invalid = { token: '', a: 0, b: 0, powBits: this.powBits, nonce: '', expires: 0 };
    if (token.length > 400) return invalid;
    const [body = '', mac = ''] = token.split('.');
    const expected = this.hmac(`challenge:${body}`).slice(0, 32);
    if (mac.length !== expected.length || !crypto.timingSafeEqual(Buffer.from(mac), Buffer.from(expected)))
      return invalid;
    let claims: { s?: unknown; r?: unknown; n?: unknown; e?: unknown; a?: unknown; b?: unknown };
    try {
      claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as typeof claims;
    } catch {
      return invalid;
    }
    if (
      claims.s !== surveyId ||
      claims.r !== this.hmac(`flood-respondent:${respondentKey}`).slice(0, 16) ||
      typeof claims.n !== 'string' ||
      typeof claims.e !== 'number' ||
      claims.e < this.now().getTime() ||
      typeof claims.a !== 'number' ||
      typeof claims.b !== 'number'
    )
      return invalid;
    return { token, a: claims.a, b: claims.b, powBits: this.powBits, nonce: claims.n, expires: claims.e };
  }

  /**
   * Checks an answer (the sum, or a proof-of-work counter) and uses the token up. True once per token, for the
   * respondent and survey it was issued to, before it expires.
   */
  async pass(
    surveyId: string,
    respondentKey: string,
    token: string,
    answer: { sum?: string; pow?: string },
  ): Promise<boolean> {
    const challenge = this.read(surveyId, respondentKey, token);
    if (!challenge.nonce) return false;
    const sumOk = answer.sum !== undefined && answer.sum.trim() === String(challenge.a + challenge.b);
    const powOk =
      answer.pow !== undefined &&
      /^\d{1,12}$/.test(answer.pow) &&
      leadingZeroBits(crypto.createHash('sha256').update(`${token}:${answer.pow}`).digest()) >= this.powBits;
    if (!sumOk && !powOk) return false;
    try {
      await this.uses.insertOne({ _id: `ch:${challenge.nonce}`, expiresAt: new Date(challenge.expires) });
      return true;
    } catch (error) {
      if (isDuplicateKey(error)) return false; // used already
      throw error;
    }
  }

  /** Deletes ended windows and expired token uses (no TTL indexes on FerretDB). */
  async deleteEnded(): Promise<void> {
    const now = this.now();
    await this.windows.deleteMany({ expiresAt: { $lte: now } });
    await this.uses.deleteMany({ expiresAt: { $lte: now } });
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
