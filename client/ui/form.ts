// Turns a refusal (a Rejection from the shared mutators, an ApiError from the admin API, a valibot
// parse) into a message per field and one for the form, so each shows next to what caused it.
import { useState } from 'preact/hooks';
import * as v from 'valibot';
import { fieldLabel } from '../../sync/labels';
import { Rejection } from '../../sync/store';
import { errorMessage } from '../app-state';
import { ApiError } from '../sync/api';

export interface FormErrors {
  form: string | null;
  fields: Record<string, string>;
}

export const NO_ERRORS: FormErrors = { form: null, fields: {} };

function fieldName(path: string): string {
  // `changes.description` (an edit) and `routing.0.name` name the field the user typed in.
  return path.replace(/^(changes|base)\./, '');
}

function fromDetails(message: string, details: unknown): FormErrors {
  const fields: Record<string, string> = {};
  for (const d of Array.isArray(details) ? details : []) {
    const { field, message: m } = (d ?? {}) as { field?: string; message?: string };
    if (field && m && !fields[fieldName(field)]) fields[fieldName(field)] = friendly(m, fieldName(field));
  }
  const unplaced = Object.keys(fields).length === 0;
  return { form: unplaced || !/not valid/.test(message) ? message : 'Check the marked fields.', fields };
}

/** valibot's own messages are for developers: a person left a box empty, typed letters or skipped a choice. */
function plain(message: string): string {
  if (/^Invalid type: Expected number|^Invalid type: Expected NaN/.test(message)) return 'enter a number';
  if (/^Invalid type: Expected string|^Invalid type: Expected undefined|^Invalid type: Expected null/.test(message)) return 'is required';
  if (/^Invalid type: Expected \(|^Invalid type: Expected "|^Invalid option/.test(message)) return 'choose one';
  if (/^Invalid UUID|^must be a UUID$|^must be an id$/.test(message)) return 'choose one';
  if (/^Invalid (length|value|key|type)/.test(message)) return 'is not a value this field takes';
  return message;
}

/**
 * A field's message as a sentence under it: the schemas say what is wrong ("must be at most 100
 * characters"), this names the field ("Name must be at most 100 characters."); an instruction
 * ("enter a number") just gets its capital and full stop.
 */
export function friendly(message: string, field = ''): string {
  let m = plain(message.trim());
  if (/^(is|are|must|may|has|have|should|cannot|can't|needs?|name|was|does)\b/.test(m) && field) m = `${fieldLabel(field)} ${m}`;
  m = m.charAt(0).toUpperCase() + m.slice(1);
  return /[.!?]$/.test(m) ? m : `${m}.`;
}

export function formErrors(err: unknown): FormErrors {
  if (err instanceof Rejection) return fromDetails(err.message, err.details);
  if (err instanceof ApiError) return fromDetails(err.message, err.details);
  return { form: errorMessage(err), fields: {} };
}

/** Validates with the same valibot entries the server uses; null when valid. */
export function validate<E extends v.ObjectEntries>(entries: E, input: Record<string, unknown>): FormErrors | null {
  const r = v.safeParse(v.object(entries), input);
  if (r.success) return null;
  const fields: Record<string, string> = {};
  for (const issue of r.issues) {
    const f = v.getDotPath(issue) ?? '';
    if (!fields[f]) fields[f] = friendly(issue.message, f);
  }
  return { form: 'Check the marked fields.', fields };
}

/** '' → undefined-free number parsing: an empty or non-numeric box is NaN, which the schemas refuse. */
export function num(s: string): number {
  return s.trim() === '' ? Number.NaN : Number(s);
}

/**
 * A form's submit or a button's action: busy while it runs, a refusal's messages next to the fields
 * (`toErrors` reads the error, formErrors by default); true on success.
 */
export function useAction(toErrors: (err: unknown) => FormErrors = formErrors) {
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [busy, setBusy] = useState(false);
  async function run(action: () => Promise<unknown>): Promise<boolean> {
    setBusy(true);
    try {
      await action();
      setErrors(NO_ERRORS);
      return true;
    } catch (err) {
      setErrors(toErrors(err));
      return false;
    } finally {
      setBusy(false);
    }
  }
  return { errors, busy, run, setErrors };
}

/**
 * A select's value as one of the choices its mutation accepts, or a field error ("Choose …") thrown
 * inside `run()`, so an empty pick is marked at its field and nothing is queued.
 */
export function choice<T extends string>(list: readonly T[], value: string, field: string): T {
  if ((list as readonly string[]).includes(value)) return value as T;
  throw new Rejection('validation_failed', 'Check the marked fields.', [{ field, message: 'is required' }]);
}
