// The new-order form: customer, due date, priority and items, each item's stages from its product's
// routing, made on this device so the order works before it syncs.
import { useState } from 'preact/hooks';
import { uuidv7 } from '../../../sync/ids';
import { ASK, askedFor } from '../../../sync/mutation-kit';
import type { MutationArgs } from '../../../sync/mutations';
import { routingStages } from '../../../sync/planning';
import { Rejection } from '../../../sync/store';
import { useSession } from '../../app-state';
import { ConfirmDialog } from '../../ui/confirm';
import { FormError, Link, Loading, PageHead, SelectField, TextArea, TextField, useDirty } from '../../ui/components';
import { num, useAction } from '../../ui/form';
import { navigate } from '../../ui/router';
import { useLookups } from '../shared/lookups';
import { localToday } from '../planning/board';
import { canPlan, DateField, PRIORITIES } from './order-parts';

type OrderArgs = MutationArgs['order.create'];

interface ItemDraft { key: string; productId: string; quantity: string }

export function NewOrder() {
  const { app, db, user } = useSession();
  const lookups = useLookups(db);
  const [v, setV] = useState({ customerName: '', externalRef: '', dueDate: '', priority: '3', notes: '' });
  const [items, setItems] = useState<ItemDraft[]>([{ key: uuidv7(), productId: '', quantity: '' }]);
  const { errors, busy, run, setErrors } = useAction();
  // The order the server (or this device) asked about: its due date has passed.
  const [pastDue, setPastDue] = useState<OrderArgs | null>(null);
  useDirty(!!(v.customerName || v.externalRef || v.dueDate || v.notes || items.some((i) => i.productId || i.quantity)));
  if (!lookups) return <Loading />;
  if (!canPlan(user)) return <div class="form-error">Only managers and admins create orders.</div>;
  const products = [...lookups.products.values()].filter((p) => p.active && !p.deletedAt).sort((a, b) => a.sku.localeCompare(b.sku));
  const set = (k: keyof typeof v) => (x: string) => setV({ ...v, [k]: x });
  const setItem = (i: number, patch: Partial<ItemDraft>) => setItems(items.map((it, j) => (j === i ? { ...it, ...patch } : it)));

  async function submit(e: Event) {
    e.preventDefault();
    const id = uuidv7();
    const missing: Record<string, string> = {};
    if (!v.dueDate) missing.dueDate = 'choose a date';
    items.forEach((it, i) => { if (!it.productId) missing[`items.${i}.productId`] = 'choose one'; });
    if (Object.keys(missing).length) return setErrors({ form: 'Check the marked fields.', fields: missing });
    const args: OrderArgs = {
      id, customerName: v.customerName, dueDate: v.dueDate, priority: num(v.priority),
      ...(v.externalRef.trim() ? { externalRef: v.externalRef.trim() } : {}), ...(v.notes.trim() ? { notes: v.notes.trim() } : {}),
      items: items.map((it) => {
        const product = lookups!.products.get(it.productId);
        // Stages with ids made here, so they can be edited or scheduled before the order has synced.
        const stages = product && Number.isInteger(num(it.quantity)) ? routingStages(product, num(it.quantity)) : [];
        return { id: uuidv7(), productId: it.productId, quantity: num(it.quantity), ...(stages.length ? { stages } : {}) };
      }),
    };
    await create(args);
  }

  async function create(args: OrderArgs) {
    let asked = false;
    const ok = await run(async () => {
      try {
        await app.mutate('order.create', args);
      } catch (err) {
        // A due date in the past is a question ("create it anyway?"), asked on this device too.
        if (!(err instanceof Rejection) || askedFor(err.details)?.code !== ASK.pastDue) throw err;
        asked = true;
        setPastDue(args);
      }
    });
    if (ok && !asked) navigate(`/orders/${args.id}`, true);
  }
  const pastPicked = !!v.dueDate && v.dueDate < localToday();

  return (
    <>
      <p><Link href="/orders">← All orders</Link></p>
      <PageHead title="New order" />
      <form class="card order-form" onSubmit={submit} noValidate aria-label="New order">
        <FormError message={errors.form} />
        <div class="grid two">
          <TextField label="Customer" value={v.customerName} onValue={set('customerName')} error={errors.fields.customerName} />
          <TextField label="Customer reference (optional)" value={v.externalRef} onValue={set('externalRef')} error={errors.fields.externalRef} hint="For example the D365 sales order." />
          <div>
            <DateField label="Due date" value={v.dueDate} onValue={set('dueDate')} error={errors.fields.dueDate} />
            {pastPicked && !errors.fields.dueDate && <p class="warn-inline" role="status" data-testid="past-due-warning">⚠ This date has already passed: the order will be late from the start.</p>}
          </div>
          <SelectField label="Priority" value={v.priority} onValue={set('priority')} options={PRIORITIES} error={errors.fields.priority} />
        </div>
        <h2>Items</h2>
        {errors.fields.items && <p class="field-error">{errors.fields.items}</p>}
        {items.map((it, i) => {
          const prod = lookups.products.get(it.productId);
          return (
            <div class="item-draft" key={it.key}>
              <div class="row">
                <div style="flex:2 1 240px">
                  <SelectField label={`Product ${i + 1}`} value={it.productId} onValue={(x) => setItem(i, { productId: x })} placeholder="Choose a product"
                    options={products.map((p) => ({ value: p.id, label: `${p.sku} — ${p.name}` }))} error={errors.fields[`items.${i}.productId`]} />
                </div>
                <div style="flex:1 1 120px">
                  <TextField label={`Quantity ${i + 1}`} inputMode="numeric" value={it.quantity} onValue={(x) => setItem(i, { quantity: x })} error={errors.fields[`items.${i}.quantity`]} />
                </div>
                {items.length > 1 && <button type="button" class="btn" aria-label={`Remove item ${i + 1}`} onClick={() => setItems(items.filter((_, j) => j !== i))}>Remove</button>}
              </div>
              {prod && (
                <p class="small muted routing">
                  Stages from the routing: {prod.routing.length ? prod.routing.map((r) => `${r.name} (${lookups.departments.get(r.departmentId)?.code ?? '?'})`).join(' → ') : 'none — this product has no routing'}.
                  {' '}Names and planned minutes can be edited on the order afterwards.
                </p>
              )}
            </div>
          );
        })}
        <div class="actions">
          <button type="button" class="btn" onClick={() => setItems([...items, { key: uuidv7(), productId: '', quantity: '' }])}>+ Add item</button>
        </div>
        <TextArea label="Notes (optional)" rows={3} value={v.notes} onValue={set('notes')} error={errors.fields.notes} />
        <button class="btn primary big wide" type="submit" disabled={busy}>Create order</button>
        <p class="small muted" style="margin-top:8px">The order is created as a draft; release it when the floor may start.</p>
      </form>
      {pastDue && (
        <ConfirmDialog
          question={{ title: 'Due date has passed', yes: 'Create the order anyway', no: 'Change the date', message: <p>The due date {pastDue.dueDate} has passed. Create the order anyway? It will show as late.</p> }}
          onAnswer={(yes) => { const args = { ...pastDue, confirmPastDue: true }; setPastDue(null); if (yes) void create(args); }} />
      )}
    </>
  );
}
