// Login throttling. SYNC-PROTOCOL.md: 429 `too_many_attempts` after 5 failures for one username
// within 15 minutes. Every attempt counts in three buckets, kept in the database so every server
// process agrees:
//
//   pair     one username from one address: 5 tries, then a wait of 15, 30, then 60 minutes before
//            each further try. The lock a guesser can put on a user: only from the guesser's address.
//   address  every username from one address: 50 tries, then waits of 1, 2, 4… up to 15 minutes,
//            except for a username that logged in from that address within 30 days and has not
//            failed from it since (the plant's own devices keep working while one of them guesses).
//   user     one username from every address, a soft signal: past 25 tries, an address that has
//            failed for that username waits 1, 2, 4… up to 15 minutes. An address that has not
//            failed for it is never held back by it, so the right password from there gets in.
//
// A streak is forgotten after 15 quiet minutes with no wait running. An attempt is reserved (counted)
// in one transaction *before* its password is checked, so requests sent at once can never check
// more passwords than the limit; a success gives its attempt back and ends its pair's streak.
import type { Deps } from '../context';
import { updateThrottle, type ThrottleRow } from './auth.repository';

const MINUTE = 60_000;

interface Tier {
  /** Tries before the first wait. */
  free: number;
  firstWaitMs: number;
  maxWaitMs: number;
}

export const PAIR: Tier = { free: 5, firstWaitMs: 15 * MINUTE, maxWaitMs: 60 * MINUTE };
export const ADDRESS: Tier = { free: 50, firstWaitMs: MINUTE, maxWaitMs: 15 * MINUTE };
export const USER: Tier = { free: 25, firstWaitMs: MINUTE, maxWaitMs: 15 * MINUTE };
const QUIET_MS = 15 * MINUTE;
const KNOWN_ADDRESS_MS = 30 * 24 * 60 * MINUTE;

/** The buckets one attempt was counted in, to settle once the password was checked. */
export interface Reservation {
  buckets: { bucket: string; username: string | null }[];
}

export type ReserveResult = { ok: true; reservation: Reservation } | { ok: false; retryAfterSeconds: number };

const iso = (ms: number) => new Date(ms).toISOString();
const ms = (t: string | null) => (t ? Date.parse(t) : 0);

/** The row as it stands at `now`: a streak quiet for long enough is over. */
function current(row: ThrottleRow, now: number): ThrottleRow {
  return now >= Math.max(ms(row.lastAt), ms(row.blockedUntil)) + QUIET_MS ? { ...row, attempts: 0, blockedUntil: null } : row;
}

const waitMs = (row: ThrottleRow, now: number) => Math.max(0, ms(row.blockedUntil) - now);

/** One more attempt; from the tier's free tries on, the next one waits twice as long as the last. */
function counted(row: ThrottleRow, tier: Tier, now: number): ThrottleRow {
  const attempts = row.attempts + 1;
  if (attempts < tier.free) return { ...row, attempts, lastAt: iso(now) };
  const wait = Math.min(tier.firstWaitMs * 2 ** (attempts - tier.free), tier.maxWaitMs);
  return { ...row, attempts, lastAt: iso(now), blockedUntil: iso(Math.max(now + wait, ms(row.blockedUntil))) };
}

/** A success is no failure: its attempt is given back, and a wait it alone started is lifted. */
function givenBack(row: ThrottleRow, tier: Tier): ThrottleRow {
  const attempts = Math.max(0, row.attempts - 1);
  return { ...row, attempts, blockedUntil: attempts < tier.free ? null : row.blockedUntil };
}

function bucketsOf(username: string, ip: string | null) {
  const address = ip ?? 'unknown';
  return {
    pair: { bucket: `pair:${username} ${address}`, username },
    address: { bucket: `address:${address}`, username: null },
    user: { bucket: `user:${username}`, username },
  };
}

/** Counts a login attempt before its password is checked, or says how long this caller must wait. */
export async function reserveLogin(deps: Deps, username: string, ip: string | null, at: Date): Promise<ReserveResult> {
  const b = bucketsOf(username, ip);
  const now = at.getTime();
  return updateThrottle<ReserveResult>(deps.db, deps.dialect, [b.pair, b.address, b.user], iso(now), (rows) => {
    const pair = current(rows.get(b.pair.bucket)!, now);
    const address = current(rows.get(b.address.bucket)!, now);
    const user = current(rows.get(b.user.bucket)!, now);
    const knownHere = pair.attempts === 0 && pair.succeededAt !== null && now - ms(pair.succeededAt) < KNOWN_ADDRESS_MS;
    const failedHere = pair.attempts > 0;
    const wait = Math.max(waitMs(pair, now), knownHere ? 0 : waitMs(address, now), failedHere ? waitMs(user, now) : 0);
    if (wait > 0) return { write: [], result: { ok: false, retryAfterSeconds: Math.ceil(wait / 1000) } };
    return {
      write: [counted(pair, PAIR, now), counted(address, ADDRESS, now), counted(user, USER, now)],
      result: { ok: true, reservation: { buckets: [b.pair, b.address, b.user] } },
    };
  });
}

/** After the check: a failure stays counted; a success gives its attempt back and starts the pair afresh. */
export async function settleLogin(deps: Deps, reservation: Reservation, success: boolean, at: Date): Promise<void> {
  if (!success) return;
  const [pairKey, addressKey, userKey] = reservation.buckets.map((b) => b.bucket);
  await updateThrottle(deps.db, deps.dialect, reservation.buckets, at.toISOString(), (rows) => ({
    write: [
      { ...rows.get(pairKey)!, attempts: 0, blockedUntil: null, succeededAt: at.toISOString() },
      givenBack(rows.get(addressKey)!, ADDRESS),
      givenBack(rows.get(userKey)!, USER),
    ],
    result: undefined,
  }));
}

/** "15 minutes", "40 seconds": how long a throttled caller waits, for the 429 message. */
export function waitWords(seconds: number): string {
  if (seconds < 60) return seconds === 1 ? '1 second' : `${seconds} seconds`;
  const minutes = Math.ceil(seconds / 60);
  return minutes === 1 ? '1 minute' : `${minutes} minutes`;
}
