// The dashboard's pieces without a browser: the links its tiles open (names the lists read), how it
// writes ratios and the age of its copy, and the spacing of refreshes on the poke.
import { describe, expect, it } from 'vitest';
import { ORDER_STATUSES } from '../../../sync/dashboard';
import { NAV, homeFor, mayOpen } from '../../ui/shell';
import { ago, asOf, isOver, pct, period } from './format';
import { href, links } from './links';
import { spaced } from './refresh';

describe('dashboard links', () => {
  it('open the lists with the filters the contract names', () => {
    expect(links.ordersLate()).toBe('/orders?show=Late');
    expect(links.ordersOnHold()).toBe('/orders?show=On%20hold');
    expect(links.ordersOpen()).toBe('/orders?show=Open');
    expect(links.floorNow()).toBe('/floor');
    expect(links.floorNow('PNT')).toBe('/floor?dept=PNT');
    expect(links.ordersDueThisWeek()).toBe('/orders?show=Due%20this%20week');
    expect(ORDER_STATUSES.map(links.ordersByStatus)).toEqual([
      '/orders?show=Draft', '/orders?show=Released', '/orders?show=In%20progress', '/orders?show=On%20hold', '/orders?show=Completed', '/orders?show=Cancelled',
    ]);
    expect(links.stagesNow('d1')).toBe('/stages?show=now&departmentId=d1');
    expect(links.rejectsOpen('d1')).toBe('/rejects?show=Open&departmentId=d1');
    expect(links.rejectsOpen(null)).toBe('/rejects?show=Open');
    expect(links.slaBreached()).toBe('/maintenance?show=Open&sla=breached');
    expect(links.slaNear()).toBe('/maintenance?show=Open&sla=near');
    expect(links.machineTickets('m 1')).toBe('/maintenance?machineId=m%201');
    expect(links.sopOverdue()).toBe('/sop?show=Overdue');
    expect(links.preventiveDue()).toBe('/maintenance/plans?due=week');
    expect(links.capacity('2026-11-30', 'd1')).toBe('/planning?week=2026-11-30&dept=d1');
    expect(links.capacity('2026-11-30', null)).toBe('/planning?week=2026-11-30');
  });

  it('read back as the lists read them (URLSearchParams)', () => {
    const q = new URLSearchParams(href('/orders', { show: 'In progress', q: 'a&b=c' }).split('?')[1]);
    expect(q.get('show')).toBe('In progress');
    expect(q.get('q')).toBe('a&b=c');
  });
});

describe('dashboard figures', () => {
  it('write a ratio without a denominator as a dash', () => {
    expect(pct(null)).toBe('—');
    expect(pct(0)).toBe('0 %');
    expect(pct(0.8734)).toBe('87 %');
    expect(pct(1.125, 1)).toBe('112.5 %');
    expect(isOver(1.01)).toBe(true);
    expect(isOver(1)).toBe(false);
    expect(isOver(null)).toBe(false);
  });

  it('say how old the copy on screen is', () => {
    const now = new Date('2026-12-02T07:05:30Z');
    expect(ago('2026-12-02T07:05:10Z', now)).toBe('just now');
    expect(ago('2026-12-02T07:02:00Z', now)).toBe('3 min ago');
    expect(ago('2026-12-02T05:00:00Z', now)).toBe('2 h 5 min ago');
    expect(ago('2026-12-02T05:05:00Z', now)).toBe('2 h ago');
    expect(ago('2026-11-29T07:00:00Z', now)).toBe('3 days ago');
    expect(asOf('2026-12-02T07:02:00Z', now)).toMatch(/^as of .+, 3 min ago$/);
  });

  it('name a period by its UTC days', () => {
    // The day order follows the reader's locale ("30 Nov – 6 Dec" or "Nov 30 – Dec 6").
    const [from, to] = period('2026-11-30', '2026-12-06').split(' – ');
    expect([from, to]).toEqual([expect.stringMatching(/Nov/), expect.stringMatching(/Dec/)]);
    expect([from.replace(/\D/g, ''), to.replace(/\D/g, '')]).toEqual(['30', '6']);
    expect(period('2026-12-02', '2026-12-02')).not.toContain('–');
  });
});

describe('refreshes on the poke', () => {
  function fakeClock() {
    let t = 0;
    const timers: { at: number; fn: () => void }[] = [];
    return {
      now: () => t,
      setTimer: (fn: () => void, ms: number) => { const x = { at: t + ms, fn }; timers.push(x); return x; },
      clearTimer: (x: unknown) => { const i = timers.indexOf(x as never); if (i >= 0) timers.splice(i, 1); },
      advance(ms: number) {
        t += ms;
        for (const x of timers.filter((y) => y.at <= t)) { timers.splice(timers.indexOf(x), 1); x.fn(); }
      },
      pending: () => timers.length,
    };
  }

  it('run at once, then at most once per gap, with one run at the end of a busy gap', () => {
    const clock = fakeClock();
    let runs = 0;
    const s = spaced(() => runs++, 5_000, clock);
    s.request();
    expect(runs).toBe(1);
    clock.advance(1_000);
    s.request();
    s.request();
    s.request();
    expect(runs).toBe(1);
    expect(clock.pending()).toBe(1);
    clock.advance(3_999);
    expect(runs).toBe(1);
    clock.advance(1);
    expect(runs).toBe(2); // the pokes of that gap, as one refresh 5 s after the last
    clock.advance(10_000);
    expect(runs).toBe(2);
    s.request();
    expect(runs).toBe(3);
  });

  it('run now on Refresh, which also drops a waiting run and starts a new gap', () => {
    const clock = fakeClock();
    let runs = 0;
    const s = spaced(() => runs++, 5_000, clock);
    s.request();
    clock.advance(1_000);
    s.request();
    s.now();
    expect(runs).toBe(2);
    expect(clock.pending()).toBe(0);
    clock.advance(4_000);
    s.request();
    expect(runs).toBe(2);
    s.stop();
    clock.advance(5_000);
    expect(runs).toBe(2);
  });
});

describe('the dashboard in the bar', () => {
  it('is the home of managers and supervisors, open to admins too, and closed to the floor', () => {
    expect(homeFor('manager')).toBe('/dashboard');
    expect(homeFor('supervisor')).toBe('/dashboard');
    expect(homeFor('admin')).toBe(NAV.find((n) => n.roles.includes('admin'))!.href);
    expect(homeFor('operator')).toBe('/portal');
    expect(['admin', 'manager', 'supervisor'].every((r) => mayOpen(r as never, '/dashboard'))).toBe(true);
    expect(mayOpen('operator', '/dashboard')).toBe(false);
    expect(mayOpen('technician', '/dashboard')).toBe(false);
  });
});
