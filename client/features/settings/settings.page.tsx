// Settings: this device's storage (usage, quota, persistence, storage errors), sync details, the
// people who use this device, and signing out (refused while changes are unsynced).
import { useEffect, useState } from 'preact/hooks';
import { errorMessage, useSession } from '../../app-state';
import { useLive } from '../../db/live';
import { askPersistent } from '../../db/storage';
import { photoSpace, unsentPhotoCount } from '../../db/photos';
import { FormError, PageHead } from '../../ui/components';
import { bytes, when } from '../../ui/format';

export default function SettingsPage() {
  const { app, user } = useSession();
  useEffect(() => void app.refreshStorage(), []);
  return (
    <>
      <PageHead title="Settings" />
      <div class="grid two">
        <Account />
        <SyncDetails />
        <Storage />
        <div class="card flat">
          <h2>Signed in</h2>
          <dl class="facts">
            <dt>Name</dt><dd>{user.displayName}</dd>
            <dt>Username</dt><dd>{user.username}</dd>
            <dt>Role</dt><dd>{user.role}</dd>
          </dl>
        </div>
      </div>
    </>
  );
}

function Account() {
  const { app } = useSession();
  const [refused, setRefused] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [syncing, setSyncing] = useState(false);
  // quality photos: a photo not yet sent counts like a queued change
  const photos = useLive(() => unsentPhotoCount(app.engine.value!.db), [app.engine.value]) ?? 0;
  const pending = app.pending.value + photos;
  const others = app.deviceUsers.value.filter((u) => u.userId !== app.session.value?.userId);

  async function logout() {
    setError(null);
    try {
      const r = await app.logout();
      setRefused(r.ok ? null : r.pending);
    } catch (err) {
      setError(errorMessage(err));
    }
  }

  async function syncNow() {
    setSyncing(true);
    setError(null);
    try {
      await app.syncNow();
      setRefused(null);
    } catch (err) {
      setError(`Sync failed: ${errorMessage(err)}`);
    } finally {
      setSyncing(false);
    }
  }

  return (
    <div class="card">
      <h2>This device</h2>
      {refused !== null && pending > 0 && (
        <div class="form-error" role="alert" data-testid="logout-refused">
          You have {pending} change{pending === 1 ? '' : 's'} not yet synced. Sign-out would lose {pending === 1 ? 'it' : 'them'}: sync first.
          <div class="actions"><button class="btn dark" disabled={syncing} onClick={syncNow}>{syncing ? 'Syncing…' : 'Sync now'}</button></div>
        </div>
      )}
      <FormError message={error} />
      <p>Switching user keeps your queued changes on this device; they are sent with your own session.</p>
      <div class="actions">
        <button class="btn big" onClick={() => app.switchUser()}>Switch user</button>
        <button class="btn big danger" onClick={logout}>Sign out</button>
      </div>
      {others.length > 0 && (
        <>
          <h3 style="margin-top:16px">Others on this device</h3>
          <ul>
            {others.map((u) => (
              <li key={u.userId}>{u.user.displayName} — {u.pending ? `${u.pending} queued` : 'all sent'}{u.needsLogin ? ' (must sign in again)' : ''}</li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}

function SyncDetails() {
  const { app, db } = useSession();
  const s = app.sync.value;
  const clientId = useLive(() => db.getMeta<string>('clientId'), [db]);
  const [error, setError] = useState<string | null>(null);
  return (
    <div class="card">
      <h2>Sync</h2>
      <dl class="facts">
        <dt>Network</dt><dd>{app.online.value ? 'online' : 'offline'}</dd>
        <dt>Queued changes</dt><dd data-testid="pending-count">{app.pending.value}</dd>
        <dt>Last sync</dt><dd>{s.lastSyncAt ? when(s.lastSyncAt) : 'never'}</dd>
        <dt>Last error</dt><dd>{s.lastError ?? 'none'}</dd>
        <dt>Sync issues</dt><dd>{app.openIssues.value} open</dd>
        <dt>Installation</dt><dd class="mono small">{clientId ?? 'not yet synced'}</dd>
      </dl>
      <FormError message={error} />
      <div class="actions">
        <button class="btn dark big" disabled={s.syncing} onClick={() => app.syncNow().then(() => setError(null), (err) => setError(errorMessage(err)))}>
          {s.syncing ? 'Syncing…' : 'Sync now'}
        </button>
      </div>
    </div>
  );
}

function Storage() {
  const { app, db } = useSession();
  const st = app.storage.value;
  const photos = useLive(() => photoSpace(db), [db]);
  const pct = st.usage != null && st.quota ? Math.min(100, (st.usage / st.quota) * 100) : null;
  const storageErrors = app.errors.value;
  return (
    <div class="card" data-testid="storage">
      <h2>Storage</h2>
      <dl class="facts">
        <dt>Used</dt><dd>{bytes(st.usage)}</dd>
        <dt>Quota</dt><dd>{bytes(st.quota)}</dd>
        <dt>Photos not yet sent</dt><dd data-testid="photos-unsent">{photos ? `${photos.unsent.count} · ${bytes(photos.unsent.bytes)}` : '…'}</dd>
        <dt>Photos kept here</dt><dd data-testid="photos-kept">{photos ? `${photos.kept.count} · ${bytes(photos.kept.bytes)}` : '…'}</dd>
        <dt>Persistent</dt><dd data-testid="persisted">{st.persisted == null ? 'unknown' : st.persisted ? 'yes — the browser will not clear it' : 'no — the browser may clear it when space runs low'}</dd>
      </dl>
      {pct != null && (
        <div style="margin:12px 0">
          <div class="meter" role="meter" aria-valuenow={Math.round(pct)} aria-valuemin={0} aria-valuemax={100} aria-label="Storage used"><span style={`width:${Math.max(pct, 0.5)}%`} /></div>
          <span class="small muted">{pct < 0.1 ? 'under 0.1' : pct.toFixed(1)} % of the quota</span>
        </div>
      )}
      {storageErrors.length > 0 && (
        <div class="form-error">
          {storageErrors.map((e) => <div key={e.id}>{e.where}: {e.message}</div>)}
        </div>
      )}
      <div class="actions">
        <button class="btn" onClick={() => void app.refreshStorage()}>Refresh</button>
        {!st.persisted && (
          <button class="btn" onClick={() => askPersistent().then(() => app.refreshStorage(), (err) => app.reportError('Asking for persistent storage', err))}>
            Ask to keep data
          </button>
        )}
      </div>
    </div>
  );
}
