// Components read IndexedDB through this hook only: a Dexie live query that re-renders on every
// change, in this tab or another. The app state watches its counters with watch().
import { liveQuery } from 'dexie';
import { useEffect, useState } from 'preact/hooks';

/** `undefined` while loading; the query's result afterwards. Errors are rethrown into the render. */
export function useLive<T>(query: () => Promise<T> | T, deps: unknown[]): T | undefined {
  const [value, setValue] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    const sub = liveQuery(query).subscribe({ next: (v) => setValue(() => v), error: setError });
    return () => sub.unsubscribe();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  if (error) throw error;
  return value;
}

/** A live query outside components (the app state's counters); returns the unsubscribe. */
export function watch<T>(query: () => Promise<T>, on: { next: (v: T) => void; error: (e: unknown) => void }): () => void {
  const sub = liveQuery(query).subscribe(on);
  return () => sub.unsubscribe();
}
