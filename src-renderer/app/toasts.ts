/** Short, polite messages about things that happened out of view (a failed action, a rejection). */
import { create } from 'zustand';

export interface Toast {
  id: number;
  text: string;
  tone: 'info' | 'error';
}

interface ToastState {
  toasts: Toast[];
}

export const useToasts = create<ToastState>(() => ({ toasts: [] }));

let nextId = 1;

export function toast(text: string, tone: Toast['tone'] = 'info', ms = 6000): void {
  const id = nextId++;
  useToasts.setState((s) => ({ toasts: [...s.toasts.filter((t) => t.text !== text), { id, text, tone }].slice(-4) }));
  setTimeout(() => dismissToast(id), ms);
}

export function dismissToast(id: number): void {
  useToasts.setState((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) }));
}
