"use client";

import {
  type ButtonHTMLAttributes,
  type FormEvent,
  type KeyboardEvent,
  useEffect,
  useId,
  useRef,
  useState,
} from "react";
import { useI18n } from "./i18n";
import { useToast } from "./toast";
import { Button } from "./ui";

/** The question box: Enter sends, Shift+Enter starts a new line; Stop while an answer comes. */
export function ChatComposer({
  busy,
  onSend,
  onStop,
  placeholder,
  sticky = false,
}: {
  busy: boolean;
  onSend: (text: string) => void;
  /** Without it, no Stop button (a request that cannot be interrupted). */
  onStop?: () => void;
  placeholder: string;
  sticky?: boolean;
}) {
  const { m } = useI18n();
  const [text, setText] = useState("");
  const ref = useRef<HTMLTextAreaElement>(null);
  const hintId = useId();
  const wasBusy = useRef(busy);
  // Back to the box when the answer is done (it was disabled meanwhile).
  useEffect(() => {
    if (wasBusy.current && !busy) ref.current?.focus();
    wasBusy.current = busy;
  }, [busy]);

  function submit(e?: FormEvent) {
    e?.preventDefault();
    const question = text.trim();
    if (!question || busy) return;
    onSend(question);
    setText("");
  }

  function onKeyDown(e: KeyboardEvent<HTMLTextAreaElement>) {
    if (e.key === "Enter" && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      submit();
    }
  }

  return (
    <form
      onSubmit={submit}
      className={sticky ? "sticky bottom-0 z-10 -mx-1 bg-slate-50/95 px-1 pt-2 pb-3" : ""}
    >
      <div className="flex items-end gap-2">
        <label className="min-w-0 flex-1">
          <span className="sr-only">{m.chat.inputLabel}</span>
          <textarea
            ref={ref}
            name="message"
            rows={2}
            maxLength={4000}
            dir="auto"
            value={text}
            disabled={busy}
            placeholder={placeholder}
            onChange={(e) => setText(e.target.value)}
            onKeyDown={onKeyDown}
            aria-describedby={hintId}
            className="block max-h-48 min-h-12 w-full resize-none rounded-xl border border-slate-300 bg-white px-3 py-2 text-base field-sizing-content focus:border-brand-700 focus:outline-2 focus:outline-brand-700/30 disabled:bg-slate-100"
          />
        </label>
        {busy && onStop ? (
          <Button type="button" variant="secondary" onClick={onStop}>
            {m.chat.stop}
          </Button>
        ) : (
          <Button type="submit" disabled={busy || text.trim() === ""}>
            {m.chat.send}
          </Button>
        )}
      </div>
      {/* Phones have no Shift key at hand: the hint is for keyboards (and screen readers). */}
      <p id={hintId} className="mt-1 text-xs text-slate-500 max-sm:sr-only">
        {m.chat.keyboardHint}
      </p>
    </form>
  );
}

/** Copies an answer's Markdown to the clipboard and says so in a toast. */
export function CopyButton({ text }: { text: string }) {
  const { m } = useI18n();
  const toast = useToast();
  return (
    <ActionButton
      label={m.feedback.copy}
      onClick={async () => {
        try {
          await navigator.clipboard.writeText(text);
          toast(m.feedback.copied);
        } catch {
          // No clipboard (an insecure origin, a denied permission).
          toast(m.feedback.copyFailed, "error");
        }
      }}
    >
      <Icon d="M8 8V5a2 2 0 0 1 2-2h9a2 2 0 0 1 2 2v9a2 2 0 0 1-2 2h-3M5 8h9a2 2 0 0 1 2 2v9a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2v-9a2 2 0 0 1 2-2Z" />
    </ActionButton>
  );
}

/** A small button under an answer: an icon, its name from `label` (also its tooltip). */
export function ActionButton({
  label,
  pressed,
  children,
  className = "",
  ...props
}: Omit<ButtonHTMLAttributes<HTMLButtonElement>, "aria-label" | "aria-pressed"> & {
  label: string;
  pressed?: boolean;
}) {
  return (
    <button
      type="button"
      aria-label={label}
      title={label}
      aria-pressed={pressed}
      className={`inline-flex min-h-9 min-w-9 items-center justify-center gap-1 rounded-md px-2 text-xs font-medium text-slate-700 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-brand-700 disabled:cursor-not-allowed disabled:text-slate-400 aria-pressed:bg-brand-100 aria-pressed:text-brand-900 ${className}`}
      {...props}
    >
      {children}
    </button>
  );
}

/** A 24×24 outline icon, hidden from assistive technology (its button carries the name). */
export function Icon({ d, className = "" }: { d: string; className?: string }) {
  return (
    <svg
      aria-hidden="true"
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth="2"
      strokeLinecap="round"
      strokeLinejoin="round"
      className={`size-4 shrink-0 ${className}`}
    >
      <path d={d} />
    </svg>
  );
}

export function Thinking() {
  const { m } = useI18n();
  return (
    <p role="status" className="flex items-center gap-2 text-sm text-slate-600">
      <span aria-hidden className="size-2 animate-pulse rounded-full bg-brand-600" />
      {m.chat.thinking}
    </p>
  );
}
