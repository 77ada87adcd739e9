// A small modal question ("Create the order anyway?"): a native <dialog> opened with showModal(), so
// focus moves into it and stays there, Escape cancels, and a screen reader hears an alert dialog.
import type { ComponentChildren } from 'preact';
import { useEffect, useId, useRef } from 'preact/hooks';

export function ConfirmDialog({ title, message, confirmLabel, cancelLabel = 'Cancel', onConfirm, onCancel, busy = false }: {
  title: string; message: ComponentChildren; confirmLabel: string; cancelLabel?: string;
  onConfirm: () => void; onCancel: () => void; busy?: boolean;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const id = useId();
  useEffect(() => {
    const dlg = ref.current!;
    if (!dlg.open) dlg.showModal();
    const cancel = (e: Event) => { e.preventDefault(); onCancel(); };
    dlg.addEventListener('cancel', cancel);
    return () => { dlg.removeEventListener('cancel', cancel); if (dlg.open) dlg.close(); };
  }, []);
  return (
    <dialog ref={ref} class="confirm-dialog" role="alertdialog" aria-labelledby={`${id}-t`} aria-describedby={`${id}-m`}>
      <h2 id={`${id}-t`}>{title}</h2>
      <div id={`${id}-m`}>{message}</div>
      <div class="actions">
        <button type="button" class="btn primary" disabled={busy} onClick={onConfirm}>{confirmLabel}</button>
        <button type="button" class="btn" onClick={onCancel} autoFocus>{cancelLabel}</button>
      </div>
    </dialog>
  );
}
