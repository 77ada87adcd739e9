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
