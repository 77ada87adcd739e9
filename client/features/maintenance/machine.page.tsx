// A machine's page (opened from a ticket, the calendar, or by scanning its QR label): status, open
// tickets, the stages running on it, MTTR and MTBF, and its history newest first — from this device,
// so it opens offline; older history comes from the server when online.
import { useEffect, useState } from 'preact/hooks';
import { kpis } from '../../../sync/maintenance-kpi';
import type { MaintenanceTicket } from '../../../sync/tables';
import { useSession } from '../../app-state';
import { useLive } from '../../db/live';
import { rowById, rowsWhere } from '../../db/rows';
import { Empty, Link, Loading, Num, PageHead, Priority, Status } from '../../ui/components';
import { formatTime as when, words } from '../../ui/format';
import { useLookups, userName } from '../shared/lookups';
import { MachineOpener } from '../portal/scan';
import { ClockBadge, currentClock, MaintenanceNav, useNow } from './parts';
import './maintenance.css';

const OPEN = ['open', 'assigned', 'in_progress', 'on_hold'];

export default function MachinePage({ id }: { id?: string }) {
  const { db } = useSession();
  const lookups = useLookups(db);
  if (!lookups) return <Loading />;
  if (!id) {
    return (
      <>
        <PageHead title="Machines" />
        <MaintenanceNav />
        <MachineOpener machines={lookups.machines} to={(m) => `/machines/${m.id}`} />
        <div class="list">
          {[...lookups.machines.values()].filter((m) => !m.deletedAt).sort((a, b) => a.code.localeCompare(b.code)).map((m) => (
            <Link key={m.id} class="item" href={`/machines/${m.id}`}>
              <div class="top"><span class="title">{m.code} · {m.name}</span><Status value={m.status} /></div>
              <div class="meta"><span>{lookups.departments.get(m.departmentId)?.name}</span></div>
            </Link>
          ))}
        </div>
      </>
    );
  }
  return <MachineDetail id={id} />;
}

function MachineDetail({ id }: { id: string }) {
  const { app, db, user } = useSession();
  const lookups = useLookups(db);
  const machine = useLive(() => rowById(db, 'machines', id), [db, id]);
  const tickets = useLive(() => rowsWhere(db, 'maintenanceTickets', 'machineId', id), [db, id]);
  const events = useLive(() => rowsWhere(db, 'maintenanceEvents', 'machineId', id), [db, id]);
  const stages = useLive(() => rowsWhere(db, 'stages', 'machineId', id), [db, id]);
  const [older, setOlder] = useState<MaintenanceTicket[] | null>(null);
  const now = useNow();
  useEffect(() => {
    // The server holds history beyond the device's sync window; offline the device's own is shown.
    if (!app.online.value || user.role === 'operator') return;
    app.request<{ tickets: MaintenanceTicket[] }>(`/api/maintenance/machines/${id}/tickets`).then((r) => setOlder(r.tickets)).catch(() => setOlder(null));
  }, [id]);
  if (machine === undefined || !lookups || !tickets || !events || !stages) return <Loading />;
  if (!machine) return <Empty>No machine has this id on this device.</Empty>;
  const held = new Map(tickets.filter((t) => !t.deletedAt).map((t) => [t.id, t]));
  for (const t of older ?? []) if (!held.has(t.id)) held.set(t.id, t);
  const all = [...held.values()];
  const open = all.filter((t) => OPEN.includes(t.status)).sort((a, b) => a.priority - b.priority);
  const closed = all.filter((t) => !OPEN.includes(t.status)).sort((a, b) => (b.completedAt ?? b.updatedAt).localeCompare(a.completedAt ?? a.updatedAt));
  // MTTR and MTBF over the last 90 days, by the report's own formulas.
  const from = new Date(Date.parse(now) - 90 * 86_400_000).toISOString();
  const k = kpis(all, [machine], { from, to: now, now });
  const running = stages.filter((s) => s.status === 'running' || s.status === 'paused');
  const history = events.filter((e) => e.kind !== 'update').sort((a, b) => b.at.localeCompare(a.at)).slice(0, 100);
  const ticketOf = (tid: string) => held.get(tid);
  return (
    <>
      <p><Link href="/machines">← Machines</Link></p>
      <PageHead title={`${machine.code} ${machine.name}`}>
        <Status value={machine.status} />
        <Link class="btn primary" href={`/maintenance/new?machine=${machine.id}`}>Report a problem</Link>
      </PageHead>
      <div class="kpis" data-testid="machine-kpis">
        <div class="kpi"><span class="v">{k.mttrMinutes === null ? '—' : `${k.mttrMinutes} min`}</span>MTTR, 90 days ({k.repairs} repairs)</div>
        <div class="kpi"><span class="v">{k.mtbfHours === null ? '—' : `${k.mtbfHours} h`}</span>MTBF, 90 days ({k.breakdowns} breakdowns)</div>
        <div class="kpi"><span class="v">{k.availabilityPct === null ? '—' : `${k.availabilityPct} %`}</span>Availability ({k.repairDowntimeMinutes} min down)</div>
        <div class="kpi"><span class="v">{lookups.departments.get(machine.departmentId)?.name ?? '—'}</span>{machine.hoursPerDay} h a day</div>
      </div>
      <div class="grid two">
        <section class="card flat" aria-labelledby="open-h">
          <h2 id="open-h">Open tickets ({open.length})</h2>
          {open.length === 0 ? <p class="muted">Nothing open on this machine.</p> : (
            <div class="list">
              {open.map((t) => {
                const { which, clock } = currentClock(t, now);
                return (
                  <Link key={t.id} class="item" href={`/maintenance/${t.id}`}>
                    <div class="top"><span class="title"><Num value={t.number} /> · {t.description}</span><Status value={t.status} /></div>
                    <div class="meta"><Priority value={t.priority} /><ClockBadge label={which} clock={clock} /><span>{userName(lookups, t.assigneeId)}</span></div>
                  </Link>
                );
              })}
            </div>
          )}
        </section>
        <section class="card flat" aria-labelledby="stages-h">
          <h2 id="stages-h">Stages on this machine</h2>
          {user.role === 'technician' ? <p class="muted">Production stages are not shown to maintenance.</p>
            : running.length === 0 ? <p class="muted">No stage is running on it.</p> : (
              <ul>{running.map((s) => <li key={s.id}><Link href={`/stages/${s.id}`}>{s.name}</Link> · <Status value={s.status} /></li>)}</ul>
            )}
        </section>
      </div>
      <section class="card flat" aria-labelledby="done-h">
        <h2 id="done-h">Work done</h2>
        {closed.length === 0 ? <p class="muted">No finished work on record.</p> : (
          <div class="table-wrap">
            <table data-testid="machine-history">
              <thead><tr><th>Done</th><th>Ticket</th><th>Type</th><th>Downtime</th><th>Checklist</th><th>Parts</th><th>Work</th></tr></thead>
              <tbody>
                {closed.map((t) => (
                  <tr key={t.id}>
                    <td>{when(t.completedAt)}</td>
                    <td><Link href={`/maintenance/${t.id}`}><Num value={t.number} /></Link> <Status value={t.status} /></td>
                    <td>{words(t.type)}</td>
                    <td>{t.downtimeMinutes} min</td>
                    <td>{t.checklist?.length ? `${t.checklist.filter((c) => c.done).length}/${t.checklist.length}` : '—'}</td>
                    <td>{t.partsUsed || '—'}</td>
                    <td>{t.workDone || t.description}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <section class="card flat" aria-labelledby="hist-h">
        <h2 id="hist-h">History</h2>
        <ul class="timeline">
          {history.map((e) => (
            <li key={e.id}>
              <div class="when">{when(e.at)} · {userName(lookups, e.userId)} · <Num value={ticketOf(e.ticketId)?.number ?? null} /></div>
              <strong>{e.kind === 'transition' ? `${words(e.fromStatus)} → ${words(e.toStatus)}` : e.kind === 'created' ? 'Raised' : e.kind === 'tick' ? 'Checklist item done' : words(e.kind)}</strong>
              {e.note && <div>{e.note}{e.reading ? ` — reading ${e.reading}` : ''}</div>}
            </li>
          ))}
        </ul>
      </section>
    </>
  );
}
