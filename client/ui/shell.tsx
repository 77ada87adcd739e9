// The frame around every page: top bar with the always-visible sync status, role-based navigation,
// and the banners a user must not miss (storage errors, sign-in needed, a new version).
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { mayAdminister, mayImport, mayManageFinance, mayReadDashboard } from '../../sync/permissions';
import { ALL_ROLES, FLOOR, LEADS, ROLES, type Role } from '../../sync/roles';
import { errorMessage, useApp } from '../app-state';
import { Link } from './components';
import { when } from './format';
import { path } from './router';
import { Bell } from './bell';

/** `short` stands in for `label` in the phone's bottom bar, where six labels must fit in 360 px. */
interface NavItem { href: string; label: string; short?: string; icon: string; roles: readonly Role[]; badge?: 'issues' | 'overdue' }


/** Icon paths (24×24, stroked) so the bar needs no icon font or emoji support. */
const ICONS: Record<string, string> = {
  stages: 'M5 4l14 8-14 8z',
  rejects: 'M6 6l12 12M18 6L6 18',
  maintenance: 'M14 7a4 4 0 105 5l-8 8-3-3 8-8a4 4 0 01-2-2z',
  issues: 'M12 3l10 18H2zM12 10v5M12 18v.5',
  admin: 'M4 6h16M4 12h16M4 18h16M8 4v4M16 10v4M10 16v4',
  settings: 'M12 8a4 4 0 110 8 4 4 0 010-8zM12 2v3M12 19v3M2 12h3M19 12h3M5 5l2 2M17 17l2 2M5 19l2-2M17 7l2-2',
  portal: 'M3 11l9-8 9 8M5 10v10h14V10M10 20v-6h4v6',
  orders: 'M9 3h6v4H9zM7 5H5v16h14V5h-2M8 12h8M8 16h6',
  board: 'M3 4h18v16H3zM3 10h18M9 4v16M15 4v16',
  import: 'M12 3v12M7 10l5 5 5-5M4 20h16',
  more: 'M5 12h.01M12 12h.01M19 12h.01',
  // quality
  returns: 'M9 14L4 9l5-5M4 9h11a5 5 0 010 10h-3',
  actions: 'M9 11l3 3 8-8M20 12v7a1 1 0 01-1 1H5a1 1 0 01-1-1V5a1 1 0 011-1h11',
  // quality reports
  quality: 'M4 20V10M10 20V4M16 20v-7M22 20H2',
  // SOP compliance (issue 12): a clipboard with a tick
  sop: 'M9 3h6v3H9zM7 4H5v17h14V4h-2M9 14l2 2 4-5',
  finance: 'M12 2v20M17 6H9.5a3.5 3.5 0 000 7h5a3.5 3.5 0 010 7H6',
  // dashboard (issue 15 §2): four tiles
  dashboard: 'M3 3h8v8H3zM13 3h8v5h-8zM13 10h8v11h-8zM3 13h8v8H3z',
  // floor now (issue 15 §2): a gauge
  floor: 'M3 18a9 9 0 1118 0M12 18l4-6M3 18h18',
};

/** A phone's bottom bar holds six entries (short labels); with more, the sixth is "More", which opens the rest. */
const BAR_SLOTS = 6;

export const NAV: NavItem[] = [
  // The dashboard leads: it is the home of managers and supervisors (issue 15 §2); Floor now beside it.
  { href: '/dashboard', label: 'Dashboard', short: 'Dash', icon: 'dashboard', roles: ROLES.filter(mayReadDashboard) },
  { href: '/floor', label: 'Floor now', short: 'Floor', icon: 'floor', roles: LEADS },
  // Planning pages (issue 5): the portal is the floor's landing page, orders the planner's.
  { href: '/portal', label: 'My work', icon: 'portal', roles: ['operator', 'supervisor'] },
  { href: '/orders', label: 'Orders', icon: 'orders', roles: LEADS },
  { href: '/planning', label: 'Board', icon: 'board', roles: LEADS },
  { href: '/stages', label: 'Stages', icon: 'stages', roles: FLOOR },
  { href: '/rejects', label: 'Rejects', icon: 'rejects', roles: FLOOR },
  { href: '/maintenance', label: 'Maintenance', short: 'Maint.', icon: 'maintenance', roles: ALL_ROLES },
  { href: '/sync-issues', label: 'Sync issues', short: 'Issues', icon: 'issues', roles: ALL_ROLES, badge: 'issues' },
  { href: '/import', label: 'Import', icon: 'import', roles: ROLES.filter(mayImport) },
  { href: '/admin', label: 'Admin', icon: 'admin', roles: ROLES.filter(mayAdminister) },
  { href: '/settings', label: 'Settings', icon: 'settings', roles: ALL_ROLES },
  // quality: returns (Quality and the responsible department see theirs) and the owner's corrective actions
  { href: '/returns', label: 'Returns', icon: 'returns', roles: FLOOR },
  { href: '/actions', label: 'My actions', short: 'Actions', icon: 'actions', roles: ALL_ROLES, badge: 'overdue' },
  // quality reports (issue 11 §5): managers the plant, supervisors their department
  { href: '/quality', label: 'Quality', icon: 'quality', roles: LEADS },
  // SOP compliance (issue 12)
  { href: '/sop', label: 'SOP tickets', short: 'SOP', icon: 'sop', roles: ALL_ROLES },
  // finance (issue 14)
  { href: '/finance', label: 'Finance', icon: 'finance', roles: ROLES.filter(mayManageFinance) },
];

/** Whether a role may open the page at `href` (the route table asks the same). */
export function mayOpen(role: Role, href: string): boolean {
  return NAV.find((n) => n.href === href)?.roles.includes(role) ?? false;
}

/** dashboard (issue 15 §2): where a role lands when it is not the first page of its bar. */
const HOME: Partial<Record<Role, string>> = { manager: '/dashboard', supervisor: '/dashboard' };

export function homeFor(role: Role): string {
  return HOME[role] ?? NAV.find((n) => n.roles.includes(role))?.href ?? '/settings';
}

function Icon({ name }: { name: string }) {
  return (
    <svg class="icon" width="26" height="26" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2.4" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true">
      <path d={ICONS[name]} />
    </svg>
  );
}

export function SyncStatus() {
  const app = useApp();
  const s = app.sync.value;
  const online = app.online.value;
  const pending = app.pending.value;
  const failing = !!s.lastError && online && !/^Offline/.test(s.lastError);
  const cls = ['sync', online ? 'online' : 'offline', failing || s.needsLogin ? 'error' : '', s.syncing ? 'syncing' : ''].join(' ');
  const headline = `${online ? 'Online' : 'Offline'} · ${pending === 0 ? 'all sent' : `${pending} pending`}`;
  // The browser says online but the last sync could not reach the server (plant Wi-Fi without uplink, server down).
  const unreachable = online && !!s.lastError && /^Offline/.test(s.lastError) && !s.syncing;
  const detail = s.needsLogin ? 'Sign in to sync' : failing ? 'Sync failed' : s.syncing ? 'Syncing…' : unreachable ? 'Server unreachable' : `Synced ${s.lastSyncAt ? when(s.lastSyncAt) : 'never'}`;
  return (
    <button type="button" class={cls} data-testid="sync-status" title={s.lastError ?? 'Tap to sync now'}
      onClick={() => app.syncNow().catch(() => undefined /* the engine's state carries the error into this button */)}>
      <span class="dot" aria-hidden="true" />
      <span class="lines">
        <span data-testid="sync-headline">{headline}</span>
        <span class="detail">{detail}</span>
      </span>
      <span class="visually-hidden">. Tap to sync now.</span>
    </button>
  );
}

function Banners() {
  const app = useApp();
  const s = app.sync.value;
  const [syncMsg, setSyncMsg] = useState<string | null>(null);
  const upd = app.update.value;
  const pending = app.pending.value;
  const dirty = app.dirtyForms.value;
  const failing = s.lastError && app.online.value && !/^Offline/.test(s.lastError) && !s.needsLogin;
  return (
    <div aria-live="polite">
      {app.errors.value.map((e) => (
        <div class="banner bad" role="alert" key={e.id}>
          <p><strong>{e.where}:</strong> {e.message}</p>
          <button class="btn" onClick={() => app.dismissError(e.id)}>Dismiss</button>
        </div>
      ))}
      {s.needsLogin && (
        <div class="banner warn">
          <p>Your session ended. Sign in again to send your {pending} queued change{pending === 1 ? '' : 's'}; nothing is lost.</p>
          <button class="btn dark" onClick={() => app.switchUser()}>Sign in</button>
        </div>
      )}
      {failing && (
        <div class="banner bad">
          <p>Sync failed: {s.lastError} It retries by itself.</p>
        </div>
      )}
      {upd && (
        <div class="banner info" data-testid="update-banner">
          <p>
            A new version of the app is ready.{' '}
            {pending > 0 ? `It installs after your ${pending} queued change${pending === 1 ? ' is' : 's are'} synced.` : dirty > 0 ? 'Finish or cancel the form you are editing first.' : ''}
            {syncMsg && ` ${syncMsg}`}
          </p>
          {pending > 0 && (
            <button class="btn" onClick={() => app.syncNow().then(() => setSyncMsg(null), (err) => setSyncMsg(errorMessage(err)))}>Sync now</button>
          )}
          <button class="btn dark" disabled={pending > 0 || dirty > 0} onClick={() => upd.apply()}>Update now</button>
        </div>
      )}
    </div>
  );
}

export function Shell({ children }: { children: ComponentChildren }) {
  const app = useApp();
  const user = app.user.value!;
  const current = path.value;
  const items = NAV.filter((n) => n.roles.includes(user.role));
  const [moreOpen, setMoreOpen] = useState(false);
  useEffect(() => setMoreOpen(false), [current]);
  // exports (issue 15): a list keeps its filters in the query; the page is the path before it.
  const page = current.split('?')[0];
  const isCurrent = (n: NavItem) => page === n.href || page.startsWith(`${n.href}/`);
  const overflow = items.length > BAR_SLOTS ? items.slice(BAR_SLOTS - 1) : [];
  const moreCount = (overflow.some((n) => n.badge === 'issues') ? app.openIssues.value : 0) + (overflow.some((n) => n.badge === 'overdue') ? app.overdueActions.value : 0);
  return (
    <div class="app">
      <a class="skip" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>Skip to content</a>
      <header class="topbar">
        <Link class="brand" href="/" aria-label="Barron PMS home">
          <img src="/icon-192.png" alt="" width={36} height={36} />
          <span>Barron</span>
        </Link>
        <div class="spacer" />
        <div class="who" data-testid="who"><strong>{user.displayName}</strong>{user.role}</div>
        <Bell />
        <SyncStatus />
      </header>
      <Banners />
      <div class="layout">
        <nav class={moreOpen ? 'nav open' : 'nav'} aria-label="Main">
          {items.map((n) => (
            <Link key={n.href} href={n.href} class={overflow.includes(n) ? 'overflow' : undefined} aria-current={isCurrent(n) ? 'page' : undefined}>
              <Icon name={n.icon} />
              {/* The name is the full label (hidden, not removed, on a phone), so no aria-label can disagree with the text shown. */}
              <span class={n.short ? 'long' : undefined}>{n.label}</span>
              {n.short && <span class="short" aria-hidden="true">{n.short}</span>}
              {n.badge === 'issues' && app.openIssues.value > 0 && <><span class="count" aria-hidden="true">{app.openIssues.value}</span><span class="visually-hidden">, {app.openIssues.value} open</span></>}
              {n.badge === 'overdue' && app.overdueActions.value > 0 && <><span class="count" data-testid="overdue-badge" aria-hidden="true">{app.overdueActions.value}</span><span class="visually-hidden">, {app.overdueActions.value} overdue</span></>}
            </Link>
          ))}
          {moreOpen && (
            <div class="more-panel">
              {overflow.map((n) => (
                <Link key={n.href} href={n.href} aria-current={isCurrent(n) ? 'page' : undefined}>
                  <Icon name={n.icon} />
                  <span>{n.label}</span>
                </Link>
              ))}
            </div>
          )}
          {overflow.length > 0 && (
            <button type="button" class="more" aria-expanded={moreOpen} aria-current={overflow.some(isCurrent) ? 'page' : undefined} onClick={() => setMoreOpen(!moreOpen)}>
              <Icon name="more" />
              <span>{moreOpen ? 'Less' : 'More'}</span>
              {/* What waits behind "More": open sync issues and (quality) overdue actions. */}
              {moreCount > 0 && <span class="count" data-testid="more-badge" aria-hidden="true">{moreCount}</span>}
            </button>
          )}
        </nav>
        <main id="main" tabIndex={-1}>{children}</main>
      </div>
    </div>
  );
}
