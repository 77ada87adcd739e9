// Entry point: builds the app state, renders, and registers the service worker with an update
// that waits for the user's consent (and for an empty outbox).
import { render } from 'preact';
import { App } from './app';
import { AppContext, createAppState, type AppState } from './app-state';
import './ui/theme.css';

const app = createAppState();
(globalThis as { barron?: AppState }).barron = app; // for the browser tests and support sessions

const root = document.getElementById('app')!;
root.textContent = ''; // the static "Loading…" placeholder of index.html
render(
  <AppContext.Provider value={app}>
    <App />
  </AppContext.Provider>,
  root,
);
void app.boot();

// MODE, not PROD: a build run with NODE_ENV=test (the browser tests) is still the production app.
if (import.meta.env.MODE === 'production' && 'serviceWorker' in navigator) {
  void registerServiceWorker();
}

async function registerServiceWorker() {
  const { Workbox } = await import('workbox-window');
  const wb = new Workbox('/sw.js', { scope: '/' });
  const offer = () =>
    app.offerUpdate(() => {
      // Both conditions are checked again here: the banner's button is only a shortcut.
      if (app.pending.value > 0 || app.dirtyForms.value > 0) return;
      wb.addEventListener('controlling', () => location.reload());
      wb.messageSkipWaiting();
    });
  wb.addEventListener('waiting', offer);
  try {
    await wb.register();
  } catch (err) {
    app.reportError('Installing the offline app', err);
    return;
  }
  // Look for a new version now and then, and when the user comes back to the app.
  setInterval(() => void wb.update().catch(() => undefined), 60 * 60_000);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible' && navigator.onLine) void wb.update().catch(() => undefined);
  });
}
