// A yes/no question in a modal dialog (native <dialog>: the browser traps focus, Escape answers no and
// focus returns to what was focused before). `useConfirm()` gives a page `ask(question)` as a promise.
import type { ComponentChildren } from 'preact';
import { useEffect, useId, useRef, useState } from 'preact/hooks';

export interface Question {
  title: string;
  message: ComponentChildren;
  /** The button that says yes ("Complete anyway"). */
  yes: string;
  /** The button that says no; "Cancel" unless given. */
  no?: string;
  /** Yes is the risky choice: shown in red. */
  danger?: boolean;
}

export function ConfirmDialog({ question, onAnswer }: { question: Question; onAnswer: (yes: boolean) => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const id = useId();
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
    return () => d?.open && d.close();
  }, []);
  return (
    <dialog ref={ref} class="confirm" aria-labelledby={`${id}-t`} aria-describedby={`${id}-m`} data-testid="confirm-dialog"
      onCancel={(e) => { e.preventDefault(); onAnswer(false); }}>
      <h2 id={`${id}-t`}>{question.title}</h2>
      <div id={`${id}-m`} class="confirm-message">{question.message}</div>
      <div class="confirm-actions">
        <button type="button" class="btn big" autoFocus onClick={() => onAnswer(false)}>{question.no ?? 'Cancel'}</button>
        <button type="button" class={`btn big ${question.danger ? 'danger' : 'primary'}`} onClick={() => onAnswer(true)}>{question.yes}</button>
      </div>
    </dialog>
  );
}

/** `ask(q)` opens the dialog and resolves with the answer; render `dialog` somewhere in the component. */
export function useConfirm() {
  const [open, setOpen] = useState<{ q: Question; resolve: (yes: boolean) => void } | null>(null);
  function ask(q: Question): Promise<boolean> {
    return new Promise((resolve) => setOpen({ q, resolve }));
  }
  const dialog = open ? <ConfirmDialog question={open.q} onAnswer={(yes) => { setOpen(null); open.resolve(yes); }} /> : null;
  return { ask, dialog };
}
