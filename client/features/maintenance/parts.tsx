// What the maintenance screens share: a clock that ticks, a ticket's two SLA clocks, the module's
// sub-navigation, and keeping the plant's SLA targets on the device.
import { useEffect, useState } from 'preact/hooks';
import { clockText, slaClocks, type Clock, type SlaState } from '../../../sync/sla';
import type { MaintenanceTicket } from '../../../sync/tables';
import { useSession } from '../../app-state';
import { keepConfig } from '../../db/config';
import { mayReadMaintenanceReport } from '../../../sync/permissions';
import { Link } from '../../ui/components';
import { path } from '../../ui/router';

/** The device's time, re-read every `ms` so clocks count down on screen (offline too). */
export function useNow(ms = 30_000): string {
  const [now, setNow] = useState(() => new Date().toISOString());
  useEffect(() => {
    const t = setInterval(() => setNow(new Date().toISOString()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
}

/** The clock that matters now: the response until work starts, then the resolution. */
export function currentClock(t: MaintenanceTicket, now: string): { which: 'Response' | 'Resolution'; clock: Clock } {
  const c = slaClocks(t, now);
  return !t.respondedAt && t.status !== 'completed' && t.status !== 'verified' ? { which: 'Response', clock: c.response } : { which: 'Resolution', clock: c.resolution };
}

/** A clock as a badge; `state` (sync/sla.ts slaState, the list's SLA filter) decides "near", else less than an hour left. */
export function ClockBadge({ clock, label, state: given }: { clock: Clock; label?: string; state?: SlaState }) {
  const near = given ? given === 'near' : clock.leftMs !== null && clock.leftMs < 3_600_000 && !clock.doneAt;
  const state = clock.breached ? 'breached' : clock.paused ? 'paused' : near ? 'near' : 'ok';
  return <span class={`sla sla-${state}`} data-sla={state}>{label ? `${label}: ` : ''}{clockText(clock)}</span>;
}

export function SlaClocks({ t, now }: { t: MaintenanceTicket; now: string }) {
  if (t.status === 'cancelled') return <span class="muted">Cancelled: no clocks.</span>;
  const c = slaClocks(t, now);
  return (
    <span class="sla-pair" data-testid="sla-clocks">
      <ClockBadge label="Response" clock={c.response} />
      <ClockBadge label="Resolution" clock={c.resolution} />
    </span>
  );
}

/** Fetches the plant's SLA targets when online, so tickets raised offline get the plant's due times. */
export function useSlaTargets() {
  const { app, db } = useSession();
  useEffect(() => {
    if (!app.online.value) return;
    app.request<{ sla: unknown }>('/api/maintenance/sla').then((r) => keepConfig(db, 'sla', r.sla)).catch(() => undefined);
  }, [db]);
}

/** Tickets · Calendar · Plans · Report, as the role may open them. */
export function MaintenanceNav() {
  const { user } = useSession();
  const here = path.value.split('?')[0];
  const tabs: [string, string][] = [['/maintenance', 'Tickets'], ['/maintenance/calendar', 'Calendar'], ['/maintenance/plans', 'Plans']];
  if (mayReadMaintenanceReport(user.role)) tabs.push(['/maintenance/report', 'Report']);
  if (user.role === 'admin') tabs.push(['/maintenance/sla', 'SLA targets']);
  return (
    <nav class="chips" aria-label="Maintenance">
      {tabs.map(([href, name]) => <Link key={href} class="chip" href={href} aria-current={here === href ? 'page' : undefined}>{name}</Link>)}
    </nav>
  );
}
