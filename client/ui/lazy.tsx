// Code-split pages without preact/compat: the module loads on first use and is cached afterwards
// (the service worker precaches every chunk, so this works offline too).
import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { useApp } from '../app-state';
import { Loading } from './components';

export function lazyPage<P extends object>(load: () => Promise<{ default: ComponentType<P> }>): ComponentType<P> {
  let loaded: ComponentType<P> | null = null;
  let pending: Promise<unknown> | null = null;
  return function LazyPage(props: P) {
    const app = useApp();
    const [, rerender] = useState(0);
    const [failed, setFailed] = useState<string | null>(null);
    useEffect(() => {
      if (loaded) return;
      pending ??= load().then((m) => (loaded = m.default));
      pending.then(() => rerender((n) => n + 1), (err) => {
        pending = null;
        setFailed(String(err?.message ?? err));
        app.reportError('Loading a page', err);
      });
    }, []);
    if (failed) return <div class="form-error">This page could not be loaded: {failed}</div>;
    if (!loaded) return <Loading />;
    const Page = loaded;
    return <Page {...props} />;
  };
}
