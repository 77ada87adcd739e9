// "Download CSV" for a list: asks the server's export of what the filters show (GET /api/<list>/export.csv,
// docs/api.md) through the AuthedClient (the token goes in a header, so a plain link cannot do it),
// and saves the answer under the server's file name. The export is the server's: it needs the network.
import { useState } from 'preact/hooks';
import { errorMessage, useApp } from '../app-state';
import { offersListExports } from '../../sync/permissions';

/** The server's CSV at `path` saved as a file. */
export async function downloadCsv(open: (path: string, o: { accept: string }) => Promise<Response>, path: string) {
  const res = await open(path, { accept: 'text/csv' });
  const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? 'export.csv';
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 30_000);
}

/** The button: `path` is the export with the screen's current filters as query parameters. */
export function DownloadCsv({ path, label = 'Download CSV' }: { path: string; label?: string }) {
  const app = useApp();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const online = app.online.value;
  const user = app.user.value;
  if (!user || !offersListExports(user.role)) return null;
  async function go() {
    const eng = app.engine.value;
    if (!eng) return;
    setBusy(true);
    setError(null);
    try {
      await downloadCsv((p, o) => eng.client.open(p, o), path);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }
  return (
    <span class="download-csv">
      <button type="button" class="btn" data-testid="download-csv" disabled={busy || !online} title={online ? 'The list as the filters show it, for Excel' : 'Connect to download: the export comes from the server'} onClick={go}>
        {busy ? 'Preparing…' : label}
      </button>
      {error && <span class="field-error" role="alert">{error}</span>}
    </span>
  );
}

/** Query parameters without the empty ones. */
export function qs(params: Record<string, string | undefined | null>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) p.set(k, v);
  const s = p.toString();
  return s ? `?${s}` : '';
}
