// Tells a database error that a retry may cure (busy, deadlock, connection lost) from one that the
// same statement will hit again (a taken key, a value too long): the first is a 5xx the device
// retries, the second must become a rejected mutation so that the device's queue moves on.
export type DbFailure = 'transient' | 'duplicate' | 'invalid';

const SQLITE_TRANSIENT = /^SQLITE_(BUSY|LOCKED|IOERR|FULL|CANTOPEN|PROTOCOL|NOMEM|INTERRUPT|READONLY)/;
const SQLITE_INVALID = /^SQLITE_(CONSTRAINT|MISMATCH|TOOBIG|RANGE)/;
/** MySQL/MariaDB errors a retry can cure: deadlock, lock wait, too many connections, server going away. */
const MYSQL_TRANSIENT = new Set([1205, 1213, 1040, 1053, 1077, 1078, 1079, 1080, 1152, 1158, 1159, 1160, 1161, 2002, 2003, 2006, 2013, 1927, 4031]);

export function classifyDbError(err: unknown): DbFailure {
  const e = (err ?? {}) as { code?: unknown; errno?: unknown; sqlState?: unknown; fatal?: unknown };
  const code = typeof e.code === 'string' ? e.code : '';
  // SQLite rolls a transaction back by itself on a full disk or an I/O error; Kysely's own ROLLBACK then
  // fails with this and hides the cause: the moment, not the input.
  if (code === 'SQLITE_ERROR' && /cannot rollback - no transaction is active/.test(String((err as Error).message))) return 'transient';
  if (code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'ER_DUP_ENTRY') return 'duplicate';
  if (SQLITE_INVALID.test(code)) return 'invalid';
  if (SQLITE_TRANSIENT.test(code)) return 'transient';
  // SQLite rolls a transaction back by itself on some SQLITE_FULL / IOERR / NOMEM failures; the
  // driver's ROLLBACK then fails with this, hiding the real (transient) cause.
  if (code === 'SQLITE_ERROR' && /cannot rollback - no transaction is active/.test(String((err as Error).message))) return 'transient';
  if (typeof e.sqlState === 'string') {
    if (e.fatal === true || (typeof e.errno === 'number' && MYSQL_TRANSIENT.has(e.errno))) return 'transient';
    // SQLSTATE class 22 (data exception) and 23 (integrity constraint): the input, not the moment.
    if (e.sqlState.startsWith('22') || e.sqlState.startsWith('23')) return 'invalid';
    return 'transient';
  }
  // Network-level failures of the driver (ECONNREFUSED, PROTOCOL_CONNECTION_LOST, ETIMEDOUT …).
  if (/^(E[A-Z]+|PROTOCOL_.*)$/.test(code) || e.fatal === true) return 'transient';
  // Anything else thrown while applying a mutation (a TypeError in a mutator) fails the same way every
  // time: retrying forever would freeze the device, so it is refused (and logged).
  return 'invalid';
}
