"use client";

import { createContext, type ReactNode, useCallback, useContext, useEffect, useRef, useState } from "react";

// Short confirmations ("Saved", "Copied") that do not move the page: one polite live region at the
// bottom of the screen (assistive technology reads them out), each toast gone after a few seconds.

type ToastKind = "success" | "error" | "info";
interface Toast {
  id: number;
  kind: ToastKind;
  text: string;
}

const ToastContext = createContext<((text: string, kind?: ToastKind) => void) | null>(null);

const STYLES: Record<ToastKind, string> = {
  success: "border-brand-300 bg-brand-50 text-brand-950",
  error: "border-red-300 bg-red-50 text-red-950",
  info: "border-slate-300 bg-white text-slate-900",
};

const TOAST_MS = 4000;

export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const next = useRef(0);
  const timers = useRef(new Set<ReturnType<typeof setTimeout>>());
  useEffect(() => {
    const pending = timers.current;
    return () => {
      for (const t of pending) clearTimeout(t);
    };
  }, []);
  const show = useCallback((text: string, kind: ToastKind = "success") => {
    next.current += 1;
    const id = next.current;
    setToasts((list) => [...list.slice(-2), { id, kind, text }]);
    const timer = setTimeout(() => {
      timers.current.delete(timer);
      setToasts((list) => list.filter((t) => t.id !== id));
    }, TOAST_MS);
    timers.current.add(timer);
  }, []);
  return (
    <ToastContext.Provider value={show}>
      {children}
      <div
        aria-live="polite"
        className="pointer-events-none fixed inset-x-0 bottom-4 z-50 flex flex-col items-center gap-2 px-4"
      >
        {toasts.map((t) => (
          <p
            key={t.id}
            data-testid="toast"
            className={`pointer-events-auto rounded-lg border px-4 py-2 text-sm font-medium shadow-md ${STYLES[t.kind]}`}
          >
            {t.text}
          </p>
        ))}
      </div>
    </ToastContext.Provider>
  );
}

/** `toast("Copié")`, `toast(message, "error")`. */
export function useToast(): (text: string, kind?: ToastKind) => void {
  const show = useContext(ToastContext);
  if (!show) throw new Error("useToast outside ToastProvider");
  return show;
}
