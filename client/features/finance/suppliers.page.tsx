// Suppliers for BOM lines: create, edit, deactivate, delete (a supplier on a BOM line is deactivated
// instead, so its lines keep it). Validated with the server's own schema before anything is sent.
import { editOf } from '../../../sync/merge';
import { useEffect, useState } from 'preact/hooks';
import * as v from 'valibot';
import { SupplierCreateSchema, type SupplierWire } from '../../../sync/finance';
import { errorMessage, useSession } from '../../app-state';
import { FormError, Loading, PageHead, TextArea, TextField, useDirty } from '../../ui/components';
import { friendly, useAction } from '../../ui/form';
import { FinanceTabs, NeedsConnection } from './finance-shared';

const FIELDS = [
  ['name', 'Name'], ['contact', 'Contact person'], ['email', 'Email'], ['phone', 'Phone'], ['leadTimeDays', 'Lead time (days)'], ['currency', 'Currency (ISO code)'],
] as const;

export default function SuppliersPage() {
  const { app } = useSession();
  const online = app.online.value;
  const [items, setItems] = useState<SupplierWire[] | null>(null);
  const [inactive, setInactive] = useState(false);
  const [editing, setEditing] = useState<SupplierWire | 'new' | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (!online) return;
    app.request<{ items: SupplierWire[] }>(`/api/finance/suppliers?includeInactive=${inactive}`).then((r) => { setItems(r.items); setError(null); }, (err) => setError(errorMessage(err)));
  }, [online, inactive, tick]);
  if (!online) return <NeedsConnection title="Suppliers" />;

  async function act(s: SupplierWire, what: 'deactivate' | 'activate' | 'delete') {
    setNotice(null);
    try {
      if (what === 'delete') {
        const r = await app.request<{ message: string }>(`/api/finance/suppliers/${s.id}`, { method: 'DELETE' });
        setNotice(r.message);
      } else await app.request(`/api/finance/suppliers/${s.id}/${what}`, { method: 'POST', body: {} });
      setTick((t) => t + 1);
    } catch (err) {
      setError(errorMessage(err));
    }
  }

  return (
    <>
      <PageHead title="Suppliers" />
      <FinanceTabs current="/finance/suppliers" />
      <div class="row" style="margin-bottom:12px">
        <button class="btn primary" onClick={() => setEditing('new')}>+ New supplier</button>
        <label class="row" style="min-height:48px"><input type="checkbox" style="width:24px;height:24px" checked={inactive} onChange={(e) => setInactive(e.currentTarget.checked)} /> Show inactive</label>
      </div>
      <FormError message={error} />
      {notice && <p class="form-ok" role="status">{notice}</p>}
      {editing && <SupplierForm item={editing === 'new' ? null : editing} onDone={() => { setEditing(null); setTick((t) => t + 1); }} />}
      {!items ? <Loading /> : (
        <div class="table-wrap">
          <table>
            <caption class="visually-hidden">Suppliers</caption>
            <thead><tr><th>Name</th><th>Contact</th><th>Email / phone</th><th>Lead time</th><th>Currency</th><th><span class="visually-hidden">Actions</span></th></tr></thead>
            <tbody>
              {items.map((s) => (
                <tr key={s.id} class={s.active ? '' : 'inactive'}>
                  <td><strong>{s.name}</strong>{s.notes && <div class="small muted">{s.notes}</div>}</td>
                  <td>{s.contact || '—'}</td>
                  <td>{s.email || '—'}{s.phone && <div class="small">{s.phone}</div>}</td>
                  <td>{s.leadTimeDays} days</td>
                  <td>{s.currency}</td>
                  <td class="row" style="flex-wrap:nowrap">
                    <button class="btn" onClick={() => setEditing(s)} aria-label={`Edit ${s.name}`}>Edit</button>
                    {s.active
                      ? <button class="btn" onClick={() => act(s, 'deactivate')} aria-label={`Deactivate ${s.name}`}>Deactivate</button>
                      : <button class="btn" onClick={() => act(s, 'activate')} aria-label={`Activate ${s.name}`}>Activate</button>}
                    <button class="btn stop" onClick={() => act(s, 'delete')} aria-label={`Delete ${s.name}`}>Delete</button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

function SupplierForm({ item, onDone }: { item: SupplierWire | null; onDone: () => void }) {
  const { app } = useSession();
  const [values, setValues] = useState<Record<string, string>>(() => ({
    name: item?.name ?? '', contact: item?.contact ?? '', email: item?.email ?? '', phone: item?.phone ?? '',
    leadTimeDays: String(item?.leadTimeDays ?? 0), currency: item?.currency ?? 'EUR', notes: item?.notes ?? '',
  }));
  const { errors, busy, run, setErrors } = useAction();
  useDirty(true);

  async function save(e: Event) {
    e.preventDefault();
    const input = { ...values, leadTimeDays: values.leadTimeDays.trim() === '' ? Number.NaN : Number(values.leadTimeDays) };
    const r = v.safeParse(SupplierCreateSchema, input);
    if (!r.success) {
      const fields: Record<string, string> = {};
      for (const issue of r.issues) fields[v.getDotPath(issue) ?? ''] ??= friendly(issue.message, v.getDotPath(issue) ?? '');
      return setErrors({ form: 'Check the marked fields.', fields });
    }
    const body = item ? editOf(item, r.output).changes : r.output;
    if (item && Object.keys(body).length === 0) return onDone();
    const ok = await run(() => app.request(item ? `/api/finance/suppliers/${item.id}` : '/api/finance/suppliers', { method: item ? 'PATCH' : 'POST', body }));
    if (ok) onDone();
  }

  const set = (k: string) => (x: string) => setValues({ ...values, [k]: x });
  return (
    <form class="card" onSubmit={save} noValidate aria-label={item ? `Edit ${item.name}` : 'New supplier'}>
      <h2>{item ? `Edit ${item.name}` : 'New supplier'}</h2>
      <FormError message={errors.form} />
      <div class="grid two">
        {FIELDS.map(([k, label]) => (
          <TextField key={k} label={label} value={values[k]} onValue={set(k)} error={errors.fields[k]} inputMode={k === 'leadTimeDays' ? 'numeric' : undefined} type={k === 'email' ? 'email' : 'text'} />
        ))}
      </div>
      <TextArea label="Notes" value={values.notes} onValue={set('notes')} error={errors.fields.notes} rows={3} />
      <div class="actions">
        <button class="btn primary big" type="submit" disabled={busy}>{item ? 'Save' : 'Create'}</button>
        <button class="btn big" type="button" onClick={onDone}>Cancel</button>
      </div>
    </form>
  );
}
