// The audit trail of one row: every change the server recorded to it, who made it and what it
// changed, read online (the audit log lives only on the server). Any detail screen can show it.
import { useEffect, useState } from 'preact/hooks';
import { label } from '../../../sync/state-machines';
import type { TableName } from '../../../sync/tables';
import type { AuditEntry, AuditPage } from '../../../sync/wire';
import { errorMessage, useSession } from '../../app-state';
import { useLive } from '../../db/live';
import { rowById } from '../../db/rows';
import { FormError, Status } from '../../ui/components';
import { fieldLabel, mutationLabel } from '../../../sync/labels';
import { formatTime, show } from '../../ui/format';
import { DownloadCsv, qs } from '../../ui/download';

/** Bookkeeping and id columns: a person reads the fields they edited, not these. */
const AUDIT_HIDDEN = new Set(['id', 'version', 'createdAt', 'updatedAt', 'updatedBy', 'deletedAt', 'departmentId', 'reportedBy', 'machineId', 'assigneeId']);

/** The fields an entry changed; a create is one line ("created"), not every column. */
function changedFields(e: AuditEntry, alsoShow: readonly string[] = []): string[] {
  if (!e.before || !e.after) return [];
  return Object.keys(e.after).filter((k) => !k.startsWith('$') && (!AUDIT_HIDDEN.has(k) || alsoShow.includes(k)) && JSON.stringify(e.before?.[k]) !== JSON.stringify(e.after?.[k]));
}

/** A recorded value as people read it: a state by its name, a time in local format. */
function value(field: string, v: unknown): string {
  return field === 'status' && typeof v === 'string' ? label(v) : show(v);
}

/**
 * Who changed what on one row, read online from the server's audit log (mayViewAudit decides who sees it).
 * `url` reads another route of the same shape (quality: /api/quality/history, for whoever sees the row);
 * `format` shows a field's value in words (a user's name for an id), else the value as recorded.
 */
export function AuditTrail({ table, id, url, title, format, alsoShow }: {
  table: TableName; id: string; url?: string; title?: string; format?: (field: string, v: unknown) => string | undefined;
  /** Fields hidden by default that this row's history shows (a return's responsible department). */
  alsoShow?: readonly string[];
}) {
  const { app, db } = useSession();
  const [entries, setEntries] = useState<AuditEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  // A new version of the row on the device (a sync brought a change) reads the trail again.
  const version = useLive(async () => (await rowById(db, table, id))?.version ?? 0, [db, table, id]);
  useEffect(() => {
    if (!app.online.value) return setError('The audit trail is on the server: connect to see it.');
    app.request<AuditPage>(url ?? `/api/audit?${new URLSearchParams({ entity: table, entityId: id, pageSize: '50' })}`).then(
      (r) => { setEntries(r.entries); setError(null); },
      (err) => setError(errorMessage(err)),
    );
  }, [table, id, url, tick, version, app.online.value]);
  const shown = (k: string, v: unknown) => format?.(k, v) ?? value(k, v);
  return (
    <div class="card flat" data-testid="audit-trail">
      <div class="row" style="justify-content:space-between"><h2 style="margin:0">{title ?? 'Audit trail'}</h2><span class="row"><DownloadCsv path={`/api/audit/export.csv${qs({ entity: table, entityId: id })}`} /><button class="btn" onClick={() => setTick(tick + 1)}>Refresh</button></span></div>
      <FormError message={error} />
      {entries && entries.length === 0 && <p class="muted">No entries yet.</p>}
      <ul class="timeline" style="margin-top:12px">
        {entries?.map((e) => (
          <li key={e.id}>
            <div class="when">{formatTime(e.at)} · {e.username ?? 'system'} · {mutationLabel(e.mutationName)}</div>
            <Status value={e.outcome} /> {e.message && <span class="small">{e.message}</span>}
            {changedFields(e, alsoShow).map((k) => (
              <div class="small" key={k}><strong>{fieldLabel(k)}</strong>: {shown(k, e.before?.[k])} → {shown(k, e.after?.[k])}</div>
            ))}
            {e.conflicts?.map((c) => (
              <div class="small" key={c.field}><strong>{fieldLabel(c.field)}</strong> kept the server's "{show(c.theirs)}"; this device sent "{show(c.mine)}"</div>
            ))}
          </li>
        ))}
      </ul>
    </div>
  );
}
