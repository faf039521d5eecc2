/**
 * A small tooltip: shown on hover and on keyboard focus after a short delay, hidden on Esc,
 * described to assistive technology through aria-describedby. The content is plain text.
 */
import { cloneElement, useCallback, useEffect, useId, useLayoutEffect, useRef, useState, type ReactElement, type SyntheticEvent } from 'react';
import { createPortal } from 'react-dom';

type Trigger = ReactElement<{
  'aria-describedby'?: string;
  onMouseEnter?: (e: SyntheticEvent) => void;
  onMouseLeave?: (e: SyntheticEvent) => void;
  onFocus?: (e: SyntheticEvent) => void;
  onBlur?: (e: SyntheticEvent) => void;
  ref?: unknown;
}>;

export interface TooltipProps {
  content: string | null | undefined;
  children: Trigger;
  /** Describe the trigger with the tooltip text (off when its name already says the same). */
  describe?: boolean;
  side?: 'top' | 'bottom';
}

const DELAY_MS = 350;

export function Tooltip({ content, children, describe = true, side = 'top' }: TooltipProps) {
  const id = useId();
  const [anchor, setAnchor] = useState<{ rect: DOMRect; host: Element } | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const hide = useCallback(() => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = null;
    setAnchor(null);
  }, []);

  useEffect(() => {
    if (!anchor) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') hide();
    };
    window.addEventListener('keydown', onKey, true);
    window.addEventListener('scroll', hide, true);
    return () => {
      window.removeEventListener('keydown', onKey, true);
      window.removeEventListener('scroll', hide, true);
    };
  }, [anchor, hide]);

  useEffect(() => hide, [hide]);

  const bubbleRef = useRef<HTMLDivElement>(null);
  useLayoutEffect(() => {
    // Keep the bubble inside the window: centre it on the trigger, then clamp.
    const el = bubbleRef.current;
    if (!el || !anchor) return;
    const { rect } = anchor;
    const w = el.offsetWidth;
    const h = el.offsetHeight;
    const left = Math.min(Math.max(8, rect.left + rect.width / 2 - w / 2), window.innerWidth - w - 8);
    let top = side === 'top' ? rect.top - h - 6 : rect.bottom + 6;
    if (top < 8) top = rect.bottom + 6;
    if (top + h > window.innerHeight - 8) top = rect.top - h - 6;
    el.style.left = `${left}px`;
    el.style.top = `${top}px`;
    el.style.visibility = 'visible';
  }, [anchor, side]);

  if (!content) return children;

  const show = (e: SyntheticEvent) => {
    const target = e.currentTarget as HTMLElement;
    if (timer.current) clearTimeout(timer.current);
    // Inside a modal dialog the bubble must live in the dialog (the top layer), not in <body>.
    timer.current = setTimeout(() => setAnchor({ rect: target.getBoundingClientRect(), host: target.closest('dialog[open]') ?? document.body }), DELAY_MS);
  };

  const props = children.props;
  const trigger = cloneElement(children, {
    'aria-describedby': describe ? [props['aria-describedby'], `${id}-text`].filter(Boolean).join(' ') : props['aria-describedby'],
    onMouseEnter: (e: SyntheticEvent) => {
      props.onMouseEnter?.(e);
      show(e);
    },
    onMouseLeave: (e: SyntheticEvent) => {
      props.onMouseLeave?.(e);
      hide();
    },
    onFocus: (e: SyntheticEvent) => {
      props.onFocus?.(e);
      if ((e.currentTarget as HTMLElement).matches(':focus-visible')) show(e);
    },
    onBlur: (e: SyntheticEvent) => {
      props.onBlur?.(e);
      hide();
    },
  });

  let bubble = null;
  if (anchor) {
    bubble = createPortal(
      <div ref={bubbleRef} role="tooltip" className="tooltip" style={{ top: 0, left: 0, visibility: 'hidden' }}>
        {content}
      </div>,
      anchor.host,
    );
  }

  return (
    <>
      {trigger}
      {describe ? <span id={`${id}-text`} hidden>{content}</span> : null}
      {bubble}
    </>
  );
}
