// SOP tickets: mine, my department's, escalated to me, all — overdue and escalated ones stand out.
import { useState } from 'preact/hooks';
import { mayViewAudit } from '../../../sync/permissions';
import type { SopTicket } from '../../../sync/tables';
import { useSession } from '../../app-state';
import { useLive } from '../../db/live';
import { allRows } from '../../db/rows';
import { Empty, Link, Loading, Num, PageHead, Status } from '../../ui/components';
import { formatTime as when, words } from '../../ui/format';
import { DownloadCsv, qs } from '../../ui/download';
import { offersListExports } from '../../../sync/permissions';
import { useUrlFilters } from '../../ui/router';
import { NCR } from '../../../sync/state-machines';
import { isLocal, machineName, useLookups } from '../shared/lookups';
import { deptName, Flag, isOverdue, Severity, sopName } from './shared';

const DONE = ['closed', 'rejected'];
const SEV_RANK: Record<string, number> = { critical: 0, high: 1, medium: 2, low: 3 };

export function SopList() {
  const { db, user } = useSession();
  const lookups = useLookups(db);
  const rows = useLive(() => allRows(db, 'sopTickets'), [db]);
  const sops = useLive(async () => new Map((await allRows(db, 'sops')).map((s) => [s.id, s])), [db]);
  const managerLike = user.role === 'manager' || user.role === 'admin';
  const views: [string, (t: SopTicket) => boolean][] = [
    ['Mine', (t) => t.raisedBy === user.id],
    ['My department\'s', (t) => !!user.departmentId && (t.againstDepartmentId === user.departmentId || t.raisedByDepartmentId === user.departmentId)],
    ['Escalated to me', (t) => t.escalatedToId === user.id || (managerLike && (t.escalationLevel >= 2 || (t.escalationLevel === 1 && !t.escalatedToId)))],
    ['All', () => true],
    // Open or acknowledged past the answer's due time (the dashboard's "SOP overdue" tile links here).
    ['Overdue', (t) => isOverdue(t)],
  ];
  // The filters live in the URL (/sop?show=Overdue&closed=1), named as the export's parameters.
  const [f, setF] = useUrlFilters({ show: user.departmentId ? "My department's" : 'All', closed: '' });
  const view = Math.max(0, views.findIndex(([n]) => n === f.show));
  const closed = f.closed === '1';
  const [ncrStatus, setNcrStatus] = useState('');
  if (!rows || !lookups || !sops) return <Loading />;
  const shown = rows
    .filter((t) => !t.deletedAt && views[view][1](t) && (closed || !DONE.includes(t.status)))
    .sort((a, b) => b.escalationLevel - a.escalationLevel || Number(isOverdue(b)) - Number(isOverdue(a)) || SEV_RANK[a.severity] - SEV_RANK[b.severity] || b.createdAt.localeCompare(a.createdAt));
  return (
    <>
      <PageHead title="SOP tickets">
        <DownloadCsv path={`/api/sop/export.csv${qs({ show: views[view][0], closed: closed ? '1' : '' })}`} />
        <Link class="btn primary" href="/sop/new">+ Raise a ticket</Link>
        {mayViewAudit(user.role) && <Link class="btn" href="/sop/report">Report</Link>}
      </PageHead>
      <div class="chips" role="group" aria-label="Show">
        {views.map(([name], i) => <button key={name} class="chip" aria-pressed={view === i} onClick={() => setF({ show: name })}>{name}</button>)}
        <label class="chip check"><input type="checkbox" checked={closed} onChange={(e) => setF({ closed: e.currentTarget.checked ? '1' : '' })} /> Closed too</label>
      </div>
      {shown.length === 0 ? <Empty>No tickets here.</Empty> : (
        <div class="list" data-testid="sop-list">
          {shown.map((t) => (
            <Link class={`item sop-item${t.escalationLevel > 0 ? ' escalated' : isOverdue(t) ? ' overdue' : ''}`} key={t.id} href={`/sop/${t.id}`}>
              <div class="top">
                <span class="title"><Num value={t.number} /> · {sopName(sops, t.sopId)}</span>
                <span class="row">{isLocal(t) && <span class="local">not synced</span>}<Flag t={t} /><Status value={t.status} /></span>
              </div>
              <div class="desc">{t.description}</div>
              <div class="meta">
                <Severity value={t.severity} />
                <span>{deptName(lookups, t.raisedByDepartmentId)} → {deptName(lookups, t.againstDepartmentId)}</span>
                {t.machineId && <span>{machineName(lookups, t.machineId)}</span>}
                <span>{t.status === 'open' || t.status === 'acknowledged' ? `Answer due ${when(t.dueAt)}` : `Raised ${when(t.createdAt)}`}</span>
              </div>
            </Link>
          ))}
        </div>
      )}
      {offersListExports(user.role) && (
        <section class="card flat ncr-export" aria-labelledby="ncr-export-h">
          <h2 id="ncr-export-h">Non-conformance reports</h2>
          <p class="small muted">Every NCR you may see (opened from these tickets, rejects and returns), as CSV.</p>
          <div class="row">
            <select class="input" style="width:auto" aria-label="NCR status" value={ncrStatus} onChange={(e) => setNcrStatus(e.currentTarget.value)}>
              <option value="">Every status</option>
              {NCR.states.map((s) => <option key={s} value={s}>{words(s)}</option>)}
            </select>
            <DownloadCsv path={`/api/ncrs/export.csv${qs({ status: ncrStatus })}`} label="Download NCRs (CSV)" />
          </div>
        </section>
      )}
    </>
  );
}
