// One SOP ticket: its facts, the next steps this user may take (and why a step is not open to them,
// as the shared rule says), its NCR, and the timeline from raised to closed.
import { useState } from 'preact/hooks';
import { uuidv7 } from '../../../sync/ids';
import { mayViewAudit } from '../../../sync/permissions';
import { mayCreateNcr } from '../../../sync/ncr';
import { sopMoveProblem } from '../../../sync/sop';
import { SOP_TICKET, type SopTicketStatus } from '../../../sync/state-machines';
import type { SopTicket } from '../../../sync/tables';
import { useSession } from '../../app-state';
import { useLive } from '../../db/live';
import { allRows, rowById, rowsWhere } from '../../db/rows';
import { Empty, FormError, Link, Loading, Num, PageHead, Status, TextField, useDirty } from '../../ui/components';
import { useAction } from '../../ui/form';
import { formatTime as when, words } from '../../ui/format';
import { navigate } from '../../ui/router';
import { AuditTrail } from '../audit/audit-trail';
import { isLocal, machineName, useLookups, userName, type Lookups } from '../shared/lookups';
import { deptName, Flag, HISTORY_WORDS, ncrOf, Severity, sopName } from './shared';

export function SopDetail({ id }: { id: string }) {
  const { db, user } = useSession();
  const lookups = useLookups(db);
  const t = useLive(() => rowById(db, 'sopTickets', id), [db, id]);
  const ncrs = useLive(() => rowsWhere(db, 'ncrReports', 'sourceId', id), [db, id]);
  const sops = useLive(async () => new Map((await allRows(db, 'sops')).map((s) => [s.id, s])), [db]);
  if (t === undefined || !lookups || !sops) return <Loading />;
  if (!t) return <Empty>This ticket is not on this device.</Empty>;
  const ncr = ncrOf(ncrs, t.id);
  return (
    <>
      <p><Link href="/sop">← SOP tickets</Link></p>
      <PageHead title={t.number ? `SOP ticket ${t.number}` : 'SOP ticket (pending number)'}>
        {isLocal(t) && <span class="local">not synced</span>}
        <Flag t={t} />
        <Status value={t.status} />
      </PageHead>
      <div class="grid two">
        <div class="card">
          <dl class="facts" data-testid="sop-facts">
            <dt>SOP</dt><dd>{sopName(sops, t.sopId)}</dd>
            <dt>Raised by</dt><dd>{userName(lookups, t.raisedBy)} ({deptName(lookups, t.raisedByDepartmentId)}), {when(t.createdAt)}</dd>
            <dt>Against</dt><dd>{deptName(lookups, t.againstDepartmentId)}</dd>
            <dt>Severity</dt><dd><Severity value={t.severity} /></dd>
            <dt>What happened</dt><dd data-testid="sop-description">{t.description}</dd>
            {t.machineId && <><dt>Machine</dt><dd>{machineName(lookups, t.machineId)}</dd></>}
            <dt>Answer due</dt><dd>{when(t.dueAt)}{t.respondedAt ? ` · answered ${when(t.respondedAt)}` : ''}</dd>
            <dt>Escalation</dt><dd data-testid="sop-escalation">{t.escalationLevel === 0 ? 'Not escalated' : t.escalationLevel === 1
              ? `To ${t.escalatedToId ? userName(lookups, t.escalatedToId) : 'the managers (no head of department)'}, ${when(t.escalatedAt)}`
              : `To the managers, ${when(t.escalatedAt)}`}</dd>
            {t.closedAt && <><dt>Closed</dt><dd>{when(t.closedAt)}</dd></>}
          </dl>
        </div>
        <div>
          <Moves t={t} l={lookups} approvedNcr={ncr?.status === 'approved'} />
          <NcrBox t={t} l={lookups} ncr={ncr} />
        </div>
      </div>
      <div class="grid two">
        <div class="card flat">
          <h2>Timeline</h2>
          <Timeline history={t.history} l={lookups} />
        </div>
        {mayViewAudit(user.role) && <AuditTrail table="sopTickets" id={t.id} />}
      </div>
    </>
  );
}

export function Timeline({ history, l }: { history: SopTicket['history']; l: Lookups }) {
  return (
    <ol class="timeline" data-testid="sop-timeline">
      {[...history].reverse().map((e, i) => (
        <li key={`${e.at}-${i}`}>
          <div class="when">{when(e.at)} · {l.users.get(e.userId)?.displayName ?? 'the system'}</div>
          <strong>{e.kind === 'transition' ? `${words(e.from)} → ${words(e.to)}` : e.kind === 'escalated' ? `Escalated to level ${e.to}` : HISTORY_WORDS[e.kind] ?? words(e.kind)}</strong>
          {e.note && e.kind !== 'raised' ? <div>{e.note}</div> : null}
        </li>
      ))}
    </ol>
  );
}

const NAMES: Record<string, string> = { acknowledged: 'Acknowledge', ncr_required: 'Ask for an NCR', rejected: 'Not an SOP breach', closed: 'Close ticket' };

function Moves({ t, l, approvedNcr }: { t: SopTicket; l: Lookups; approvedNcr: boolean }) {
  const { app, user } = useSession();
  const [note, setNote] = useState('');
  const { errors, run } = useAction();
  useDirty(note !== '');
  const against = l.departments.get(t.againstDepartmentId);
  const moves = SOP_TICKET.edges.filter((e) => e.from === t.status).map((e) => ({ to: e.to, problem: sopMoveProblem(user, t, e.to, against, approvedNcr) }));
  // Steps of someone else's (answering a ticket against another department) are not offered; closing says why it waits.
  const shown = moves.filter((m) => !m.problem || m.to === 'closed');
  if (shown.length === 0) return null;
  async function move(to: SopTicketStatus) {
    if (await run(() => app.mutate('sop.transition', { id: t.id, from: t.status, to, ...(note.trim() ? { note } : {}) }))) setNote('');
  }
  return (
    <form class="card" onSubmit={(e) => e.preventDefault()} noValidate aria-labelledby="sop-moves-h">
      <h2 id="sop-moves-h">Next step</h2>
      <FormError message={errors.form} />
      {shown.some((m) => m.to !== 'closed') && <TextField label={shown.some((m) => m.to === 'rejected') ? 'Note (required for "not an SOP breach")' : 'Note (optional)'} value={note} onValue={setNote} error={errors.fields.note} />}
      <div class="actions">
        {shown.map((m) => (
          <button key={m.to} type="button" class={`btn big ${m.to === 'rejected' ? 'stop' : 'go'}`} disabled={!!m.problem}
            aria-describedby={m.problem ? `why-${m.to}` : undefined} onClick={() => move(m.to)}>{NAMES[m.to] ?? words(m.to)}</button>
        ))}
      </div>
      {shown.filter((m) => m.problem).map((m) => <p key={m.to} id={`why-${m.to}`} class="muted" data-testid={`why-${m.to}`}>{m.problem}</p>)}
    </form>
  );
}

function NcrBox({ t, l, ncr }: { t: SopTicket; l: Lookups; ncr: ReturnType<typeof ncrOf> }) {
  const { app, user } = useSession();
  const { errors, run } = useAction();
  if (ncr) {
    return (
      <div class="card flat" data-testid="sop-ncr">
        <h2>NCR</h2>
        <p><Link href={`/ncr/${ncr.id}`}>{ncr.number ? `NCR ${ncr.number}` : 'NCR (pending number)'}</Link> <Status value={ncr.status} /></p>
        {ncr.status === 'returned' && ncr.returnNote && <p>Returned: {ncr.returnNote}</p>}
      </div>
    );
  }
  if (t.status === 'closed' || t.status === 'rejected' || !mayCreateNcr(user, t.againstDepartmentId, l.departments.get(t.againstDepartmentId))) return null;
  async function open() {
    const id = uuidv7();
    if (await run(() => app.mutate('ncr.create', { id, sourceType: 'sop', sourceId: t.id }))) navigate(`/ncr/${id}`);
  }
  return (
    <div class="card flat">
      <h2>NCR</h2>
      <FormError message={errors.form} />
      <p class="muted">The ticket closes only with an approved NCR.</p>
      <button class="btn big dark" type="button" onClick={open}>Open the NCR</button>
    </div>
  );
}
