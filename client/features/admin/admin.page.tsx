// Admin pages for the master data (online only: the admin API writes straight to the server).
// Forms validate with the server's own valibot schemas before anything is sent.
import { useEffect, useState } from 'preact/hooks';
import type * as v from 'valibot';
import { PASSWORD_HINT, PasswordSchema, passwordProblem } from '../../../sync/password';
import { ROLES } from '../../../sync/roles';
import * as s from '../../../sync/master-data';
import { errorMessage, useSession } from '../../app-state';
import { Empty, FormError, Link, Loading, PageHead, SelectField, TextField, useDirty } from '../../ui/components';
import { num, useAction, validate } from '../../ui/form';
import { words } from '../../ui/format';
import { useLookups, type Lookups } from '../shared/lookups';
import { ConfigPage, HeadlessDepartments } from './config';

type Item = Record<string, unknown> & { id: string; active: boolean };
type Kind = 'text' | 'number' | 'select' | 'routing' | 'password' | 'checkbox';
interface FieldDef { name: string; label: string; kind: Kind; options?: (l: Lookups) => { value: string; label: string }[]; nullable?: boolean; createOnly?: boolean }
interface Resource { path: string; title: string; one: string; fields: FieldDef[]; entries: v.ObjectEntries; createEntries?: v.ObjectEntries; columns: string[] }

const deptOptions = (l: Lookups) => [...l.departments.values()].filter((d) => d.active).map((d) => ({ value: d.id, label: `${d.code} — ${d.name}` }));
const userOptions = (l: Lookups) => [...l.users.values()].filter((u) => u.active).map((u) => ({ value: u.id, label: u.displayName }));
const list = (xs: readonly string[]) => () => xs.map((x) => ({ value: x, label: words(x) }));

const RESOURCES: Resource[] = [
  {
    path: 'users', title: 'Users', one: 'user', entries: s.UserFields, createEntries: { ...s.UserFields, password: PasswordSchema },
    columns: ['username', 'displayName', 'role', 'departmentId'],
    fields: [
      { name: 'username', label: 'Username', kind: 'text' }, { name: 'displayName', label: 'Display name', kind: 'text' },
      { name: 'role', label: 'Role', kind: 'select', options: list(ROLES) },
      { name: 'departmentId', label: 'Department', kind: 'select', options: deptOptions, nullable: true },
      { name: 'password', label: 'Password', kind: 'password', createOnly: true },
    ],
  },
  {
    path: 'departments', title: 'Departments', one: 'department', entries: s.DepartmentFields, columns: ['code', 'name', 'hodUserId'],
    fields: [
      { name: 'code', label: 'Code', kind: 'text' }, { name: 'name', label: 'Name', kind: 'text' },
      { name: 'hodUserId', label: 'Head of department', kind: 'select', options: userOptions, nullable: true },
    ],
  },
  {
    path: 'machines', title: 'Machines', one: 'machine', entries: s.MachineFields, columns: ['code', 'name', 'departmentId', 'status'],
    fields: [
      { name: 'code', label: 'Code (printed on the QR label)', kind: 'text' }, { name: 'name', label: 'Name', kind: 'text' },
      { name: 'departmentId', label: 'Department', kind: 'select', options: deptOptions },
      { name: 'status', label: 'Status', kind: 'select', options: list(s.MACHINE_STATUSES) },
      { name: 'hoursPerDay', label: 'Hours per day', kind: 'number' }, { name: 'idealCycleSeconds', label: 'Ideal cycle (seconds)', kind: 'number' },
      { name: 'allowParallel', label: 'Runs several stages at once', kind: 'checkbox' },
    ],
  },
  {
    path: 'products', title: 'Products', one: 'product', entries: s.ProductFields, columns: ['sku', 'name', 'revision', 'sellPrice'],
    fields: [
      { name: 'sku', label: 'SKU', kind: 'text' }, { name: 'name', label: 'Name', kind: 'text' }, { name: 'revision', label: 'Revision', kind: 'text' },
      { name: 'unit', label: 'Unit', kind: 'text' }, { name: 'sellPrice', label: 'Sell price', kind: 'number' },
      { name: 'standardMinutes', label: 'Standard minutes', kind: 'number' }, { name: 'routing', label: 'Routing', kind: 'routing' },
    ],
  },
  {
    path: 'defect-codes', title: 'Defect codes', one: 'defect code', entries: s.DefectCodeFields, columns: ['code', 'name', 'category'],
    fields: [
      { name: 'code', label: 'Code', kind: 'text' }, { name: 'name', label: 'Name', kind: 'text' },
      { name: 'category', label: 'Category', kind: 'select', options: list(s.DEFECT_CATEGORIES) },
    ],
  },
  {
    path: 'sops', title: 'SOPs', one: 'SOP', entries: s.SopFields, columns: ['code', 'title', 'departmentId', 'revision'],
    fields: [
      { name: 'code', label: 'Code', kind: 'text' }, { name: 'title', label: 'Title', kind: 'text' },
      { name: 'departmentId', label: 'Department', kind: 'select', options: deptOptions }, { name: 'revision', label: 'Revision', kind: 'text' },
    ],
  },
  {
    path: 'suppliers', title: 'Suppliers', one: 'supplier', entries: s.SupplierFields, columns: ['name', 'contact', 'email', 'leadTimeDays'],
    fields: [
      { name: 'name', label: 'Name', kind: 'text' }, { name: 'contact', label: 'Contact', kind: 'text' }, { name: 'email', label: 'Email', kind: 'text' },
      { name: 'leadTimeDays', label: 'Lead time (days)', kind: 'number' },
    ],
  },
];

export default function AdminPage({ resource }: { resource?: string }) {
  const r = RESOURCES.find((x) => x.path === resource);
  return (
    <>
      <PageHead title={r ? r.title : resource === 'config' ? 'Config' : 'Admin'}>
        {/* maintenance (issue 13) */}
        {r?.path === 'machines' && <Link class="btn" href="/admin/machines/labels">Print labels</Link>}
      </PageHead>
      <div class="chips" role="navigation" aria-label="Master data">
        {RESOURCES.map((x) => <Link key={x.path} class="chip" aria-current={x === r ? 'page' : undefined} href={`/admin/${x.path}`}>{x.title}</Link>)}
        {/* SOP compliance (issue 12) */}
        <Link class="chip" aria-current={resource === 'config' ? 'page' : undefined} href="/admin/config">Config</Link>
      </div>
      {/* SOP compliance (issue 12): escalations of a department without a head go to the managers. */}
      {(!r || r.path === 'departments' || resource === 'config') && <HeadlessDepartments />}
      {resource === 'config' ? <ConfigPage /> : r ? <ResourcePage key={r.path} r={r} /> : <p class="muted">Choose what to maintain. Changes reach every device at its next sync.</p>}
    </>
  );
}

function ResourcePage({ r }: { r: Resource }) {
  const { app, db } = useSession();
  const lookups = useLookups(db);
  const [items, setItems] = useState<Item[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [inactive, setInactive] = useState(false);
  const [editing, setEditing] = useState<Item | 'new' | null>(null);
  const [tick, setTick] = useState(0);
  const online = app.online.value;

  useEffect(() => {
    if (!online) return;
    app.request<{ items: Item[] }>(`/api/admin/${r.path}?includeInactive=${inactive}`).then(
      (res) => { setItems(res.items); setError(null); },
      (err) => setError(errorMessage(err)),
    );
  }, [r.path, inactive, tick, online]);

  if (!online) return <Empty>Admin changes go straight to the server: connect to the network to use this page.</Empty>;
  if (!lookups) return <Loading />;

  async function deactivate(item: Item) {
    try {
      await app.request(`/api/admin/${r.path}/${item.id}/deactivate`, { method: 'POST', body: {} });
      setTick(tick + 1);
    } catch (err) {
      setError(errorMessage(err));
    }
  }

  const cell = (item: Item, col: string) => {
    const value = item[col];
    if (col === 'departmentId') return lookups.departments.get(String(value))?.name ?? '—';
    if (col === 'hodUserId') return lookups.users.get(String(value))?.displayName ?? '—';
    return value == null || value === '' ? '—' : String(value);
  };

  return (
    <>
      <div class="row" style="margin-bottom:12px">
        <button class="btn primary" onClick={() => setEditing('new')}>+ New {r.one}</button>
        <label class="row" style="min-height:48px"><input type="checkbox" style="width:24px;height:24px" checked={inactive} onChange={(e) => setInactive(e.currentTarget.checked)} /> Show inactive</label>
      </div>
      <FormError message={error} />
      {editing && <ItemForm r={r} item={editing === 'new' ? null : editing} lookups={lookups} onDone={() => { setEditing(null); setTick(tick + 1); }} />}
      {!items ? <Loading /> : (
        <div class="table-wrap">
          <table>
            <thead><tr>{r.columns.map((c) => <th key={c}>{words(c.replace(/Id$/, '').replace(/([A-Z])/g, ' $1')).toLowerCase()}</th>)}<th><span class="visually-hidden">Actions</span></th></tr></thead>
            <tbody>
              {items.map((item) => (
                <tr key={item.id} class={item.active ? '' : 'inactive'}>
                  {r.columns.map((c) => <td key={c}>{cell(item, c)}</td>)}
                  <td class="row" style="flex-wrap:nowrap">
                    <button class="btn" onClick={() => setEditing(item)}>Edit</button>
                    {item.active && <button class="btn" onClick={() => deactivate(item)}>Deactivate</button>}
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

interface Step { name: string; departmentId: string; plannedMinutes: string }

function ItemForm({ r, item, lookups, onDone }: { r: Resource; item: Item | null; lookups: Lookups; onDone: () => void }) {
  const { app } = useSession();
  const initial = Object.fromEntries(r.fields.filter((f) => f.kind !== 'routing').map((f) => [f.name, item?.[f.name] == null ? '' : String(item[f.name])]));
  const [values, setValues] = useState<Record<string, string>>(initial);
  const [routing, setRouting] = useState<Step[]>(((item?.routing as { name: string; departmentId: string; plannedMinutes: number }[]) ?? []).map((x) => ({ ...x, plannedMinutes: String(x.plannedMinutes) })));
  const { errors, run, setErrors } = useAction();
  const [password, setPassword] = useState('');
  const [pwMsg, setPwMsg] = useState<string | null>(null);
  useDirty(true);

  function typed(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const f of r.fields) {
      if (f.createOnly && item) continue;
      if (f.kind === 'routing') out[f.name] = routing.map((x) => ({ name: x.name, departmentId: x.departmentId, plannedMinutes: num(x.plannedMinutes) }));
      else if (f.kind === 'number') out[f.name] = num(values[f.name] ?? '');
      else if (f.kind === 'checkbox') out[f.name] = values[f.name] === 'true' || values[f.name] === '1';
      else if (f.nullable && !values[f.name]) out[f.name] = null;
      else out[f.name] = values[f.name] ?? '';
    }
    return out;
  }

  async function save(e: Event) {
    e.preventDefault();
    const input = typed();
    const invalid = validate(item ? r.entries : r.createEntries ?? r.entries, input);
    if (invalid) return setErrors(invalid);
    const body = item ? Object.fromEntries(Object.entries(input).filter(([k, val]) => JSON.stringify(item[k] ?? null) !== JSON.stringify(val))) : input;
    if (item && Object.keys(body).length === 0) return onDone();
    await run(async () => {
      await app.request(item ? `/api/admin/${r.path}/${item.id}` : `/api/admin/${r.path}`, { method: item ? 'PATCH' : 'POST', body });
      onDone();
    });
  }

  async function resetPassword() {
    setPwMsg(null);
    const problem = passwordProblem(password, String(item!.username));
    if (problem) return setPwMsg(`Password ${problem}`);
    try {
      await app.request(`/api/admin/users/${item!.id}/reset-password`, { method: 'POST', body: { password } });
      setPassword('');
      setPwMsg('Password changed; the user is signed out everywhere.');
    } catch (err) {
      setPwMsg(errorMessage(err));
    }
  }

  const set = (name: string) => (val: string) => setValues({ ...values, [name]: val });
  return (
    <form class="card" onSubmit={save} noValidate aria-label={item ? `Edit ${r.one}` : `New ${r.one}`}>
      <h2>{item ? `Edit ${r.one}` : `New ${r.one}`}</h2>
      <FormError message={errors.form} />
      <div class="grid two">
        {r.fields.filter((f) => !(f.createOnly && item) && f.kind !== 'routing').map((f) =>
          f.kind === 'checkbox' ? (
            <div class="field" key={f.name}>
              <label class="check">
                <input type="checkbox" checked={values[f.name] === 'true' || values[f.name] === '1'} onChange={(e) => set(f.name)(String(e.currentTarget.checked))} />
                {f.label}
              </label>
              {errors.fields[f.name] && <span class="field-error" role="alert">{errors.fields[f.name]}</span>}
            </div>
          ) : f.kind === 'select' ? (
            <SelectField key={f.name} label={f.label} value={values[f.name] ?? ''} onValue={set(f.name)} error={errors.fields[f.name]}
              placeholder={f.nullable ? '(none)' : 'Choose'} options={f.options!(lookups)} />
          ) : (
            <TextField key={f.name} label={f.label} type={f.kind === 'password' ? 'password' : 'text'} inputMode={f.kind === 'number' ? 'decimal' : undefined}
              value={values[f.name] ?? ''} onValue={set(f.name)} error={errors.fields[f.name]} hint={f.kind === 'password' ? PASSWORD_HINT : undefined} />
          ),
        )}
      </div>
      {r.fields.some((f) => f.kind === 'routing') && (
        <fieldset class="card flat">
          <legend><strong>Routing</strong> (the stages an order of this product goes through)</legend>
          {errors.fields.routing && <p class="field-error">{errors.fields.routing}</p>}
          {routing.map((step, i) => (
            <div class="grid three" key={i}>
              <TextField label={`Step ${i + 1} name`} value={step.name} onValue={(val) => setRouting(routing.map((x, j) => (j === i ? { ...x, name: val } : x)))} error={errors.fields[`routing.${i}.name`]} />
              <SelectField label="Department" value={step.departmentId} onValue={(val) => setRouting(routing.map((x, j) => (j === i ? { ...x, departmentId: val } : x)))}
                placeholder="Choose" options={deptOptions(lookups)} error={errors.fields[`routing.${i}.departmentId`]} />
              <TextField label="Planned minutes" inputMode="numeric" value={step.plannedMinutes} onValue={(val) => setRouting(routing.map((x, j) => (j === i ? { ...x, plannedMinutes: val } : x)))} error={errors.fields[`routing.${i}.plannedMinutes`]} />
            </div>
          ))}
          <div class="actions">
            <button type="button" class="btn" onClick={() => setRouting([...routing, { name: '', departmentId: '', plannedMinutes: '0' }])}>+ Add step</button>
            {routing.length > 0 && <button type="button" class="btn" onClick={() => setRouting(routing.slice(0, -1))}>Remove last step</button>}
          </div>
        </fieldset>
      )}
      <div class="actions">
        <button class="btn primary big" type="submit">{item ? 'Save' : 'Create'}</button>
        <button class="btn big" type="button" onClick={onDone}>Cancel</button>
      </div>
      {item && r.path === 'users' && (
        <div class="card flat" style="margin-top:16px">
          <h3>Reset password</h3>
          <TextField label="New password" type="password" autoComplete="new-password" value={password} onValue={setPassword} hint={PASSWORD_HINT} />
          {pwMsg && <p class="small"><strong>{pwMsg}</strong></p>}
          <button type="button" class="btn dark" onClick={resetPassword}>Set new password</button>
        </div>
      )}
    </form>
  );
}
