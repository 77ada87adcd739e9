// A small path router: the current path as a signal, pushState navigation, and pattern matching.
// (The service worker serves index.html for every navigation, so deep links work offline.)
import { signal } from '@preact/signals';

export const path = signal(typeof location === 'undefined' ? '/' : location.pathname + location.search);

if (typeof window !== 'undefined') {
  window.addEventListener('popstate', () => (path.value = location.pathname + location.search));
}

export function navigate(to: string, replace = false) {
  if (to === path.value) return;
  history[replace ? 'replaceState' : 'pushState'](null, '', to);
  path.value = to;
  window.scrollTo(0, 0);
}

/** `/maintenance/:id` against `/maintenance/0192…` → `{ id: '0192…' }`, or null. */
export function match(pattern: string, current: string): Record<string, string> | null {
  const [pathname] = current.split('?');
  const want = pattern.split('/').filter(Boolean);
  const have = pathname.split('/').filter(Boolean);
  if (want.length !== have.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    if (want[i].startsWith(':')) params[want[i].slice(1)] = decodeURIComponent(have[i]);
    else if (want[i] !== have[i]) return null;
  }
  return params;
}

export function query(current = path.value): URLSearchParams {
  return new URLSearchParams(current.split('?')[1] ?? '');
}

/** A link that navigates without reloading the page. */
export function onLinkClick(e: MouseEvent) {
  const a = (e.currentTarget as HTMLAnchorElement);
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || a.target) return;
  e.preventDefault();
  navigate(a.getAttribute('href') ?? '/');
}

// ── List filters in the URL (issue 15: a dashboard tile links to a filtered list) ──

/**
 * Replaces the current URL's query with `params` (empty values left out): no new history entry and
 * no scroll, so a list's filters stay in its URL as they change (Back leaves the list, not a filter).
 */
export function replaceQuery(params: Record<string, string | undefined | null>) {
  const [pathname] = path.value.split('?');
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) p.set(k, v);
  const s = p.toString();
  const to = s ? `${pathname}?${s}` : pathname;
  if (to === path.value) return;
  history.replaceState(history.state, '', to);
  path.value = to;
}

/**
 * A list's filters read from the URL (`defaults` for the absent ones) and a setter that writes them
 * back with replaceQuery. The URL is the one place the filters live, so a link such as
 * `/rejects?show=Open&machineId=…` opens the list filtered, and a filter changed on the page shows in the
 * URL. The parameter names are those of the list's CSV export (docs/api.md "List URLs").
 */
export function useUrlFilters<K extends string>(defaults: Record<K, string>): [Record<K, string>, (changes: Partial<Record<K, string>>) => void] {
  const q = query(); // reads the path signal: the page re-renders when the URL changes
  const current = {} as Record<K, string>;
  for (const k of Object.keys(defaults) as K[]) current[k] = q.get(k) ?? defaults[k];
  const set = (changes: Partial<Record<K, string>>) => {
    const now = query();
    const next: Record<string, string> = {};
    for (const k of Object.keys(defaults) as K[]) next[k] = (k in changes ? changes[k] : now.get(k)) ?? '';
    replaceQuery(next);
  };
  return [current, set];
}
