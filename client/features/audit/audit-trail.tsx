// The audit trail of one row: every change the server recorded to it, who made it and what it
// changed, read online (the audit log lives only on the server). Any detail screen can show it.
import { useEffect, useState } from 'preact/hooks';
import type { TableName } from '../../../sync/tables';
import { errorMessage, useSession } from '../../app-state';
import { useLive } from '../../db/live';
import { rowById } from '../../db/rows';
import { FormError, Status } from '../../ui/components';
import { show, when, words } from '../../ui/format';

interface AuditEntry {
  id: string; at: string; username: string | null; mutationName: string; outcome: string; code: string | null; message: string | null;
  before: Record<string, unknown> | null; after: Record<string, unknown> | null; conflicts: { field: string; base: unknown; mine: unknown; theirs: unknown }[] | null;
}

/** Bookkeeping and id columns: a person reads the fields they edited, not these. */
const AUDIT_HIDDEN = new Set(['id', 'version', 'createdAt', 'updatedAt', 'updatedBy', 'deletedAt', 'departmentId', 'reportedBy', 'machineId', 'assigneeId']);

/** The fields an entry changed; a create is one line ("created"), not every column. */
function changedFields(e: AuditEntry): string[] {
  if (!e.before || !e.after) return [];
  return Object.keys(e.after).filter((k) => !k.startsWith('$') && !AUDIT_HIDDEN.has(k) && JSON.stringify(e.before?.[k]) !== JSON.stringify(e.after?.[k]));
}

/** Who changed what on one row, read online from the server's audit log (mayViewAudit decides who sees it). */
export function AuditTrail({ table, id }: { table: TableName; id: string }) {
  const { app, db } = useSession();
  const [entries, setEntries] = useState<AuditEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  // A new version of the row on the device (a sync brought a change) reads the trail again.
  const version = useLive(async () => (await rowById(db, table, id))?.version ?? 0, [db, table, id]);
  useEffect(() => {
    if (!app.online.value) return setError('The audit trail is on the server: connect to see it.');
    app.request<{ entries: AuditEntry[] }>(`/api/audit?${new URLSearchParams({ entity: table, entityId: id, pageSize: '50' })}`).then(
      (r) => { setEntries(r.entries); setError(null); },
      (err) => setError(errorMessage(err)),
    );
  }, [table, id, tick, version, app.online.value]);
  return (
    <div class="card flat" data-testid="audit-trail">
      <div class="row" style="justify-content:space-between"><h2 style="margin:0">Audit trail</h2><button class="btn" onClick={() => setTick(tick + 1)}>Refresh</button></div>
      <FormError message={error} />
      {entries && entries.length === 0 && <p class="muted">No entries yet.</p>}
      <ul class="timeline" style="margin-top:12px">
        {entries?.map((e) => (
          <li key={e.id}>
            <div class="when">{when(e.at)} · {e.username ?? 'system'} · {e.mutationName}</div>
            <Status value={e.outcome} /> {e.message && <span class="small">{e.message}</span>}
            {changedFields(e).map((k) => (
              <div class="small" key={k}><strong>{words(k)}</strong>: {show(e.before?.[k])} → {show(e.after?.[k])}</div>
            ))}
            {e.conflicts?.map((c) => (
              <div class="small" key={c.field}><strong>{c.field}</strong> kept the server's "{show(c.theirs)}"; this device sent "{show(c.mine)}"</div>
            ))}
          </li>
        ))}
      </ul>
    </div>
  );
}
