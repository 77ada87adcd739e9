// Taking in a customer return (Quality, managers, admins), offline too: the server numbers it.
import { useState } from 'preact/hooks';
import { uuidv7 } from '../../../sync/ids';
import { mayHandleReturns } from '../../../sync/returns';
import { useSession } from '../../app-state';
import { useLive } from '../../db/live';
import { allRows, localToday } from '../../db/rows';
import { Field, FormError, Link, Loading, PageHead, SelectField, Stepper, TextArea, TextField, useDirty } from '../../ui/components';
import { num, useAction } from '../../ui/form';
import { navigate } from '../../ui/router';
import { useLookups } from '../shared/lookups';
import { qualityDepartment } from './return-list';

export function NewReturn() {
  const { app, db, user } = useSession();
  const lookups = useLookups(db);
  const orders = useLive(() => allRows(db, 'orders'), [db]);
  const [customerName, setCustomerName] = useState('');
  const [orderId, setOrderId] = useState('');
  const [productId, setProductId] = useState('');
  const [quantity, setQuantity] = useState('1');
  const [reason, setReason] = useState('');
  const [receivedAt, setReceivedAt] = useState(localToday());
  const { errors, busy, run } = useAction();
  useDirty(!!(customerName || productId || reason) && !busy);
  if (!lookups || !orders) return <Loading />;
  if (!mayHandleReturns(user, qualityDepartment(lookups))) return <div class="form-error">Returns are taken in by Quality, managers and admins.</div>;

  async function submit(e: Event) {
    e.preventDefault();
    const id = uuidv7();
    const ok = await run(() => app.mutate('return.create', {
      id, customerName, productId, quantity: num(quantity), reason, ...(orderId ? { orderId } : {}), ...(receivedAt ? { receivedAt } : {}),
    }));
    if (ok) navigate(`/returns/${id}`, true);
  }
  const pickOrder = (id: string) => {
    setOrderId(id);
    const o = orders.find((x) => x.id === id);
    if (o && !customerName) setCustomerName(o.customerName);
  };

  return (
    <>
      <p><Link href="/returns">← Returns</Link></p>
      <PageHead title="Take in a customer return" />
      <form class="card" onSubmit={submit} noValidate>
        <FormError message={errors.form} />
        <div class="grid two">
          <SelectField label="Order (optional)" value={orderId} onValue={pickOrder} error={errors.fields.orderId} placeholder="No order"
            options={orders.filter((o) => !o.deletedAt && o.number).sort((a, b) => (b.number ?? '').localeCompare(a.number ?? '')).map((o) => ({ value: o.id, label: `${o.number} · ${o.customerName}` }))} />
          <TextField label="Customer" value={customerName} onValue={setCustomerName} error={errors.fields.customerName} />
          <SelectField label="Product" value={productId} onValue={setProductId} error={errors.fields.productId} placeholder="Choose the product"
            options={[...lookups.products.values()].filter((p) => p.active).sort((a, b) => a.sku.localeCompare(b.sku)).map((p) => ({ value: p.id, label: `${p.sku} — ${p.name}` }))} />
          <Stepper label="Quantity" value={quantity} onValue={setQuantity} error={errors.fields.quantity} />
          <Field label="Received on" error={errors.fields.receivedAt}>
            {(id, d) => <input id={id} class="input" type="date" max={localToday()} aria-invalid={!!errors.fields.receivedAt} aria-describedby={d} value={receivedAt} onInput={(e) => setReceivedAt(e.currentTarget.value)} />}
          </Field>
        </div>
        <TextArea label="What the customer reports" value={reason} onValue={setReason} error={errors.fields.reason} rows={3} />
        <button class="btn primary big wide" type="submit" disabled={busy}>Take in return</button>
      </form>
    </>
  );
}
