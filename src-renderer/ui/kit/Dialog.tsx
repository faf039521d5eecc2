/**
 * A modal dialog on the native <dialog> element: the browser makes everything outside it inert,
 * traps focus, closes on Esc and returns focus to the opener.
 */
import { useEffect, useId, useRef, type ReactNode } from 'react';

export interface DialogProps {
  open: boolean;
  onClose(): void;
  title: string;
  /** Show the title as a heading (default) or keep it for assistive technology only. */
  hideTitle?: boolean;
  description?: ReactNode;
  className?: string;
  /** A selector inside the dialog that takes focus when it opens (default: the first focusable). */
  initialFocus?: string;
  children: ReactNode;
}

export function Dialog({ open, onClose, title, hideTitle, description, className, initialFocus, children }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const descriptionId = useId();
  const opener = useRef<Element | null>(null);

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      opener.current = document.activeElement;
      dialog.showModal();
      if (initialFocus) dialog.querySelector<HTMLElement>(initialFocus)?.focus();
    } else if (!open && dialog.open) {
      dialog.close();
      const el = opener.current as HTMLElement | null;
      if (el && el.isConnected && typeof el.focus === 'function') el.focus();
    }
  }, [open, initialFocus]);

  useEffect(() => () => {
    // Unmounted while open (the conversation went away): give focus back.
    if (ref.current?.open) ref.current.close();
  }, []);

  if (!open) return <dialog ref={ref} className={`dialog ${className ?? ''}`} aria-labelledby={titleId} />;

  return (
    <dialog
      ref={ref}
      className={`dialog ${className ?? ''}`}
      aria-labelledby={titleId}
      aria-describedby={description ? descriptionId : undefined}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
      onMouseDown={(e) => {
        // A press on the backdrop (the dialog element itself, outside its box) dismisses it.
        if (e.target !== ref.current) return;
        const r = ref.current.getBoundingClientRect();
        const inside = e.clientX >= r.left && e.clientX <= r.right && e.clientY >= r.top && e.clientY <= r.bottom;
        if (!inside) onClose();
      }}
    >
      <h2 id={titleId} className={hideTitle ? 'visually-hidden' : 'dialog__title'}>{title}</h2>
      {description ? <p id={descriptionId} className="dialog__description">{description}</p> : null}
      {children}
    </dialog>
  );
}
