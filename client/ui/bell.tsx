// The notification bell of every page (issue 12): the signed-in user's unread count, their latest
// notifications, "mark read" as the `notification.read` mutation (offline too), and a system
// notification while the app is open, where the browser grants it (no Web Push: a plant network
// often has no route to a push service).
import { useEffect, useRef, useState } from 'preact/hooks';
import type { NotificationRow } from '../../sync/tables';
import { useSession } from '../app-state';
import { useLive } from '../db/live';
import { newestFirst } from '../db/rows';
import { when } from './format';
import { navigate } from './router';

/** Where a notification about a row of a table opens. */
const HREF: Record<string, (id: string) => string> = {
  sopTickets: (id) => `/sop/${id}`,
  ncrReports: (id) => `/ncr/${id}`,
  // The quality module's "My actions" page (fix/quality), where the owner works their actions.
  correctiveActions: () => '/actions',
};

const SHOWN = 20;

export function Bell() {
  const { app, db } = useSession();
  const rows = useLive(() => newestFirst(db, 'notifications', 'at'), [db]);
  const [open, setOpen] = useState(false);
  const [permission, setPermission] = useState(() => (typeof Notification === 'undefined' ? 'unsupported' : Notification.permission));
  const seen = useRef<Set<string> | null>(null);
  const live = (rows ?? []).filter((n) => !n.deletedAt);
  const unread = live.filter((n) => n.status === 'unread');

  // A system notification for each unread one that arrives while the app is open (not for those already here at start).
  useEffect(() => {
    if (!rows) return;
    if (!seen.current) {
      seen.current = new Set(rows.map((n) => n.id));
      return;
    }
    for (const n of unread) {
      if (seen.current.has(n.id)) continue;
      seen.current.add(n.id);
      if (typeof Notification !== 'undefined' && Notification.permission === 'granted') {
        try {
          const sys = new Notification(n.title, { body: n.body ?? undefined, tag: n.id, icon: '/icon-192.png' });
          sys.onclick = () => { window.focus(); void openOne(n); };
        } catch {
          // Some browsers allow notifications only from a service worker; the bell still shows it.
        }
      }
    }
  }, [rows]);

  async function markRead(n: NotificationRow) {
    if (n.status !== 'unread') return;
    try {
      await app.mutate('notification.read', { id: n.id });
    } catch (err) {
      app.reportError('Marking a notification read', err);
    }
  }

  async function openOne(n: NotificationRow) {
    await markRead(n);
    setOpen(false);
    const href = HREF[n.entity]?.(n.entityId);
    if (href) navigate(href);
  }

  async function allow() {
    if (typeof Notification === 'undefined') return;
    setPermission(await Notification.requestPermission());
  }

  return (
    <div class="bell-wrap">
      <button type="button" class={`bell${unread.length ? ' has-unread' : ''}`} data-testid="bell" aria-expanded={open} aria-controls={open ? 'bell-panel' : undefined}
        onClick={() => setOpen(!open)}>
        <svg class="icon" width="24" height="24" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2.2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true">
          <path d="M6 8a6 6 0 1112 0c0 7 3 9 3 9H3s3-2 3-9M10 21h4" />
        </svg>
        <span class="visually-hidden">Notifications</span>
        {unread.length > 0 && <span class="count" data-testid="bell-count">{unread.length > 99 ? '99+' : unread.length}<span class="visually-hidden"> unread</span></span>}
      </button>
      {open && (
        <div class="bell-panel" id="bell-panel" role="region" aria-label="Notifications">
          <div class="bell-head">
            <strong>Notifications</strong>
            {unread.length > 0 && <button type="button" class="btn" onClick={() => unread.forEach((n) => void markRead(n))}>Mark all read</button>}
          </div>
          {permission === 'default' && (
            <p class="bell-allow">
              <button type="button" class="btn" onClick={allow}>Alert me on this device</button>
            </p>
          )}
          {live.length === 0 ? <p class="muted">Nothing yet.</p> : (
            <ul data-testid="bell-list">
              {live.slice(0, SHOWN).map((n) => (
                <li key={n.id} class={n.status === 'unread' ? 'unread' : undefined}>
                  <button type="button" class="bell-item" onClick={() => openOne(n)}>
                    <span class="t">{n.status === 'unread' && <span class="tag">New</span>} {n.title}</span>
                    {n.body && <span class="b">{n.body}</span>}
                    <span class="w">{when(n.at)}</span>
                  </button>
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </div>
  );
}
