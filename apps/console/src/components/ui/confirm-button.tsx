'use client';

import { useState, type ReactNode } from 'react';
import { Modal } from './modal';

/**
 * A destructive (or otherwise weighty) action behind a confirmation dialog. `onConfirm` runs when
 * the operator confirms; while it runs the dialog stays open and says so; an error it returns is
 * shown in the dialog (the action is not closed silently).
 */
export function ConfirmButton({
  label,
  title,
  confirmLabel,
  children,
  onConfirm,
  danger = true,
  disabled = false,
  buttonClassName,
  ariaLabel,
}: {
  label: ReactNode;
  title: string;
  confirmLabel: string;
  children?: ReactNode;
  /** Resolves to an error message to show, or undefined when done. */
  onConfirm: () => Promise<string | undefined>;
  danger?: boolean;
  disabled?: boolean;
  buttonClassName?: string;
  ariaLabel?: string;
}) {
  const [open, setOpen] = useState(false);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string>();
  const confirm = async (): Promise<void> => {
    setPending(true);
    setError(undefined);
    const problem = await onConfirm();
    setPending(false);
    if (problem) setError(problem);
    else setOpen(false);
  };
  return (
    <>
      <button type="button" className={buttonClassName ?? (danger ? 'button button-danger' : 'button')} disabled={disabled} aria-label={ariaLabel} onClick={() => { setError(undefined); setOpen(true); }}>
        {label}
      </button>
      <Modal title={title} open={open} onClose={() => !pending && setOpen(false)}>
        <div className="modal-body">{children}</div>
        {error ? (
          <p role="alert" className="error-text">
            {error}
          </p>
        ) : null}
        <div className="modal-actions">
          <button type="button" className="button" onClick={() => setOpen(false)} disabled={pending}>
            Cancel
          </button>
          <button type="button" className={danger ? 'button button-danger' : 'button button-primary'} onClick={() => void confirm()} disabled={pending} aria-busy={pending}>
            {pending ? 'Working…' : confirmLabel}
          </button>
        </div>
      </Modal>
    </>
  );
}
