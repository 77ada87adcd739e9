// The maintenance calendar: what is due this week and next (preventive plans and open preventive
// tickets), day by day, per machine, filtered by department — from this device, offline too.
import { useState } from 'preact/hooks';
import { useSession } from '../../app-state';
import { useLive } from '../../db/live';
import { allRows } from '../../db/rows';
import { Empty, Link, Loading, PageHead, Status } from '../../ui/components';
import { useLookups } from '../shared/lookups';
import { MaintenanceNav, useNow } from './parts';
import './maintenance.css';

const DAY = 86_400_000;
/** Monday 00:00 UTC of the week holding `iso` (days are UTC, decision 0004). */
function weekStart(iso: string): number {
  const d = new Date(`${iso.slice(0, 10)}T00:00:00.000Z`);
  return d.getTime() - ((d.getUTCDay() + 6) % 7) * DAY;
}

interface Due { key: string; day: string; machineId: string; departmentId: string; task: string; href: string; late: boolean; kind: 'plan' | 'ticket'; status: string }

export default function CalendarPage() {
  const { db } = useSession();
  const lookups = useLookups(db);
  const plans = useLive(() => allRows(db, 'preventivePlans'), [db]);
  const tickets = useLive(() => allRows(db, 'maintenanceTickets'), [db]);
  const now = useNow(60_000);
  const [dept, setDept] = useState('');
  if (!lookups || !plans || !tickets) return <Loading />;
  const today = now.slice(0, 10);
  const start = weekStart(now);
  const days = Array.from({ length: 14 }, (_, i) => new Date(start + i * DAY).toISOString().slice(0, 10));
  const end = days[13];
  const open = tickets.filter((t) => t.planId && t.planDueAt && ['open', 'assigned', 'in_progress', 'on_hold'].includes(t.status) && !t.deletedAt);
  const withTicket = new Set(open.map((t) => `${t.planId}:${t.planDueAt}`));
  const items: Due[] = [
    ...open.map((t) => ({ key: t.id, day: t.planDueAt!.slice(0, 10) < today ? today : t.planDueAt!.slice(0, 10), machineId: t.machineId, departmentId: t.departmentId, task: t.description, href: `/maintenance/${t.id}`, late: t.planDueAt!.slice(0, 10) < today, kind: 'ticket' as const, status: t.status })),
    ...plans.filter((p) => p.status === 'active' && !p.deletedAt && !withTicket.has(`${p.id}:${p.nextDueAt}`)).map((p) => ({
      key: p.id, day: p.nextDueAt.slice(0, 10) < today ? today : p.nextDueAt.slice(0, 10), machineId: p.machineId, departmentId: p.departmentId, task: p.task,
      href: `/machines/${p.machineId}`, late: p.nextDueAt.slice(0, 10) < today, kind: 'plan' as const, status: 'planned',
    })),
  ].filter((d) => d.day >= days[0] && d.day <= end && (!dept || d.departmentId === dept));
  const depts = [...lookups.departments.values()].filter((d) => !d.deletedAt).sort((a, b) => a.name.localeCompare(b.name));
  const week = (w: number) => days.slice(w * 7, w * 7 + 7);
  const fmt = (d: string) => new Date(`${d}T00:00:00.000Z`).toLocaleDateString(undefined, { weekday: 'short', day: 'numeric', month: 'short', timeZone: 'UTC' });
  return (
    <>
      <PageHead title="Maintenance calendar" />
      <MaintenanceNav />
      <div class="filters">
        <select class="input" aria-label="Department" value={dept} onChange={(e) => setDept(e.currentTarget.value)}>
          <option value="">Every department</option>
          {depts.map((d) => <option key={d.id} value={d.id}>{d.name}</option>)}
        </select>
      </div>
      {[0, 1].map((w) => {
        const inWeek = items.filter((i) => week(w).includes(i.day));
        return (
          <section key={w} class="card flat" aria-labelledby={`week-${w}`} data-testid={`week-${w}`}>
            <h2 id={`week-${w}`}>{w === 0 ? 'This week' : 'Next week'} <span class="muted">({inWeek.length} due)</span></h2>
            {inWeek.length === 0 ? <Empty>Nothing due.</Empty> : (
              <div class="week-list">
                {week(w).filter((d) => inWeek.some((i) => i.day === d)).map((d) => (
                  <div key={d} class="calendar">
                    <h3>{fmt(d)}{d === today ? ' · today' : ''}</h3>
                    {inWeek.filter((i) => i.day === d).sort((a, b) => a.machineId.localeCompare(b.machineId)).map((i) => {
                      const m = lookups.machines.get(i.machineId);
                      return (
                        <Link key={i.key} class={`due${i.late ? ' late' : ''}`} href={i.href}>
                          <strong>{m?.code ?? '?'}</strong> {i.task} · <span class="muted">{lookups.departments.get(i.departmentId)?.name}</span>
                          {' '}{i.kind === 'ticket' ? <Status value={i.status} /> : <span class="muted">(plan)</span>}{i.late ? ' · overdue' : ''}
                        </Link>
                      );
                    })}
                  </div>
                ))}
              </div>
            )}
          </section>
        );
      })}
    </>
  );
}
