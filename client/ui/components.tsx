// Shared building blocks of every page: links, fields with their error next to them, status chips.
import type { AnchorHTMLAttributes, ComponentChildren } from 'preact';
import { useEffect, useId } from 'preact/hooks';
import { label } from '../../sync/state-machines';
import { useApp } from '../app-state';
import { onLinkClick } from './router';

export function Link(props: AnchorHTMLAttributes<HTMLAnchorElement> & { href: string }) {
  return <a {...props} onClick={onLinkClick} />;
}

export function PageHead({ title, children }: { title: string; children?: ComponentChildren }) {
  return (
    <div class="page-head">
      <h1>{title}</h1>
      {children}
    </div>
  );
}

export function Status({ value }: { value: string }) {
  return <span class={`status s-${value}`}>{label(value)}</span>;
}

export function Priority({ value }: { value: number }) {
  const names = ['', 'P1 urgent', 'P2 high', 'P3 normal', 'P4 low'];
  return <span class={`prio prio-${value}`}>{names[value] ?? `P${value}`}</span>;
}

/** A row's human number, or a visible placeholder until the server assigns one. */
export function Num({ value }: { value: string | null }) {
  return value ? <span class="mono">{value}</span> : <span class="pending-number">pending number</span>;
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <div class="empty">{children}</div>;
}

export function Loading() {
  return <div class="loading" role="status">Loading…</div>;
}

interface FieldProps {
  label: string;
  error?: string;
  hint?: string;
  children: (id: string, describedBy: string | undefined) => ComponentChildren;
}

/** A labelled control with its hint and its validation message right under it. */
export function Field({ label: text, error, hint, children }: FieldProps) {
  const id = useId();
  const errId = `${id}-err`;
  return (
    <div class={`field${error ? ' has-error' : ''}`}>
      <label for={id}>{text}</label>
      {children(id, error ? errId : undefined)}
      {hint && !error && <span class="hint">{hint}</span>}
      {error && <span class="field-error" id={errId} role="alert">{error}</span>}
    </div>
  );
}

interface InputProps {
  value: string;
  onValue: (v: string) => void;
  type?: 'text' | 'password' | 'search' | 'email';
  name?: string;
  autoComplete?: string;
  autoCapitalize?: 'none' | 'off';
  spellcheck?: boolean;
  inputMode?: 'numeric' | 'decimal' | 'text';
}

export function TextField({ label: text, error, hint, value, onValue, type, ...rest }: InputProps & { label: string; error?: string; hint?: string }) {
  return (
    <Field label={text} error={error} hint={hint}>
      {(id, d) => (
        <input id={id} class="input" type={(type ?? 'text') as 'text'} aria-invalid={!!error} aria-describedby={d} value={value}
          onInput={(e) => onValue(e.currentTarget.value)} {...rest} />
      )}
    </Field>
  );
}

export function TextArea({ label: text, error, hint, value, onValue, rows }: { label: string; error?: string; hint?: string; value: string; onValue: (v: string) => void; rows?: number }) {
  return (
    <Field label={text} error={error} hint={hint}>
      {(id, d) => (
        <textarea id={id} class="input" rows={rows ?? 4} aria-invalid={!!error} aria-describedby={d} value={value}
          onInput={(e) => onValue(e.currentTarget.value)} />
      )}
    </Field>
  );
}

export function SelectField({ label: text, error, hint, value, onValue, options, placeholder }: {
  label: string; error?: string; hint?: string; value: string; onValue: (v: string) => void;
  options: { value: string; label: string }[]; placeholder?: string;
}) {
  return (
    <Field label={text} error={error} hint={hint}>
      {(id, d) => (
        <select id={id} class="input" aria-invalid={!!error} aria-describedby={d} value={value} onChange={(e) => onValue(e.currentTarget.value)}>
          {placeholder !== undefined && <option value="">{placeholder}</option>}
          {options.map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
        </select>
      )}
    </Field>
  );
}

/** A whole-number field with big − and + buttons for gloved hands. */
export function Stepper({ label: text, error, value, onValue, step = 1 }: { label: string; error?: string; value: string; onValue: (v: string) => void; step?: number }) {
  const n = Number(value) || 0;
  return (
    <Field label={text} error={error}>
      {(id, d) => (
        <div class="stepper">
          <button type="button" class="btn" aria-label={`${text} minus ${step}`} onClick={() => onValue(String(Math.max(0, n - step)))}>−</button>
          <input id={id} class="input" inputMode="numeric" pattern="[0-9]*" aria-invalid={!!error} aria-describedby={d} value={value}
            onInput={(e) => onValue(e.currentTarget.value)} />
          <button type="button" class="btn" aria-label={`${text} plus ${step}`} onClick={() => onValue(String(n + step))}>+</button>
        </div>
      )}
    </Field>
  );
}

export function FormError({ message }: { message?: string | null }) {
  return message ? <div class="form-error" role="alert">{message}</div> : null;
}

/** Counts this form as being edited while `dirty`, so an app update waits for it. */
export function useDirty(dirty: boolean) {
  const app = useApp();
  useEffect(() => {
    if (!dirty) return;
    app.markDirty(1);
    return () => app.markDirty(-1);
  }, [dirty]);
}
