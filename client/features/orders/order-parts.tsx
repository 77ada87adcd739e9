// What the order screens share: the priority choices, who plans, the late flag and the date field.
import { mayUse } from '../../../sync/mutations';
import type { PublicUser } from '../../../sync/roles';
import { Field } from '../../ui/components';

export const PRIORITIES = [
  { value: '1', label: 'P1 urgent' }, { value: '2', label: 'P2 high' }, { value: '3', label: 'P3 normal' }, { value: '4', label: 'P4 low' },
];

/** Planners: whoever may create orders (the registry in sync/ decides). */
export const canPlan = (u: PublicUser) => mayUse(u.role, 'order.create');

export function LateFlag() {
  return <span class="late-flag">Late</span>;
}

export function DateField({ label, value, onValue, error }: { label: string; value: string; onValue: (v: string) => void; error?: string }) {
  return (
    <Field label={label} error={error}>
      {(id, d) => <input id={id} class="input" type="date" value={value} aria-invalid={!!error} aria-describedby={d} onInput={(e) => onValue(e.currentTarget.value)} />}
    </Field>
  );
}
