// Server-side writes outside push (admin master data, seed, import) go through the same store:
// one transaction with sequence stamps, change-log entries and one audit entry.
import { diff, writeAudit } from '../audit/audit';
import type { Deps } from '../context';
import type { PublicUser } from '../../sync/roles';
import type { TableName } from '../../sync/tables';
import { ServerStore } from './server-store';

export interface WriteMeta {
  user: Pick<PublicUser, 'id' | 'username'>;
  name: string;
  table: TableName;
  id: string;
  ip?: string | null;
}

export async function writeAudited<T>(deps: Deps, meta: WriteMeta, fn: (store: ServerStore) => Promise<T>): Promise<T> {
  return deps.db.transaction().execute(async (trx) => {
    const now = new Date().toISOString();
    const store = new ServerStore(trx, meta.user.id, now);
    const out = await fn(store);
    await store.flush();
    const primary = store.writes.find((w) => w.table === meta.table && w.id === meta.id);
    const d = primary ? diff(primary.before, primary.after) : { before: null, after: null };
    await writeAudit(trx, {
      at: now, userId: meta.user.id, username: meta.user.username, mutationName: meta.name, entity: meta.table, entityId: meta.id,
      baseVersion: primary?.before ? Number(primary.before.version) : null, resultVersion: primary ? Number(primary.after.version) : null,
      outcome: 'applied', before: d.before, after: d.after, ip: meta.ip ?? null,
    });
    return out;
  });
}
