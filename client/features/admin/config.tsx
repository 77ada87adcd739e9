// Admin: the plant's editable config (issue 12: SOP response times per severity and the escalation to
// the managers), checked with the server's own schemas before sending (a negative number is refused at
// its field), and the departments that have no head (their escalations go to the managers).
import { useEffect, useState } from 'preact/hooks';
import * as v from 'valibot';
import { SOP_CONFIG_SCHEMAS } from '../../../sync/sop';
import { errorMessage, useSession } from '../../app-state';
import { Empty, FormError, Loading, TextField } from '../../ui/components';
import { friendly, num, useAction } from '../../ui/form';
import { words } from '../../ui/format';
import { useLookups } from '../shared/lookups';

interface Item { key: string; label: string; value: unknown; default: unknown }
const SCHEMAS: Record<string, v.GenericSchema> = Object.fromEntries(Object.entries(SOP_CONFIG_SCHEMAS).map(([k, e]) => [k, e.schema]));

/** Departments without a head of department: what the admin pages warn about. */
export function HeadlessDepartments() {
  const { db } = useSession();
  const lookups = useLookups(db);
  if (!lookups) return null;
  const headless = [...lookups.departments.values()].filter((d) => d.active && !d.deletedAt && !d.hodUserId);
  if (headless.length === 0) return null;
  return (
    <div class="banner warn" data-testid="headless-departments">
      <p><strong>No head of department:</strong> {headless.map((d) => d.name).join(', ')}. Their overdue SOP tickets go straight to the managers; set a head under Departments.</p>
    </div>
  );
}

export function ConfigPage() {
  const { app } = useSession();
  const [items, setItems] = useState<Item[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const online = app.online.value;
  useEffect(() => {
    if (!online) return;
    app.request<{ items: Item[] }>('/api/admin/config').then((r) => setItems(r.items), (e) => setError(errorMessage(e)));
  }, [online]);
  if (!online) return <Empty>Config changes go straight to the server: connect to the network to use this page.</Empty>;
  if (error) return <p class="form-error" role="alert">{error}</p>;
  if (!items) return <Loading />;
  return <>{items.map((item) => <ConfigForm key={item.key} item={item} onSaved={(next) => setItems(items.map((i) => (i.key === next.key ? next : i)))} />)}</>;
}

function ConfigForm({ item, onSaved }: { item: Item; onSaved: (i: Item) => void }) {
  const { app } = useSession();
  const isObject = typeof item.value === 'object' && item.value !== null;
  const keys = isObject ? Object.keys(item.value as Record<string, number>) : ['value'];
  const start = () => Object.fromEntries(keys.map((k) => [k, String(isObject ? (item.value as Record<string, number>)[k] : item.value)]));
  const [values, setValues] = useState<Record<string, string>>(start);
  const [saved, setSaved] = useState(false);
  const { errors, busy, run, setErrors } = useAction();

  async function save(e: Event) {
    e.preventDefault();
    setSaved(false);
    const value = isObject ? Object.fromEntries(keys.map((k) => [k, num(values[k])])) : num(values.value);
    const parsed = v.safeParse(SCHEMAS[item.key], value);
    if (!parsed.success) {
      const fields: Record<string, string> = {};
      for (const i of parsed.issues) { const f = v.getDotPath(i) ?? 'value'; fields[f] ??= friendly(i.message, f); }
      return setErrors({ form: 'Check the marked fields.', fields });
    }
    const ok = await run(async () => {
      const r = await app.request<{ item: Item }>(`/api/admin/config/${item.key}`, { method: 'PUT', body: { value: parsed.output } });
      onSaved(r.item);
    });
    setSaved(ok);
  }
  const fieldError = (k: string) => errors.fields[k] ?? errors.fields[`value.${k}`] ?? (k === 'value' ? errors.fields[''] : undefined);
  return (
    <form class="card" onSubmit={save} noValidate aria-labelledby={`cfg-${item.key}`}>
      <h2 id={`cfg-${item.key}`}>{item.label}</h2>
      <FormError message={errors.form} />
      <div class="grid two">
        {keys.map((k) => (
          <TextField key={k} label={isObject ? `${words(k).replace(/^./, (c) => c.toUpperCase())} (minutes)` : 'Minutes'} inputMode="numeric" value={values[k]}
            onValue={(x) => setValues({ ...values, [k]: x })} error={fieldError(k)} />
        ))}
      </div>
      {saved && <p class="muted" role="status">Saved. New tickets and the next escalation check use it.</p>}
      <button class="btn primary big" type="submit" disabled={busy}>Save</button>
    </form>
  );
}
