"use client";

import { ActionButton, CopyButton, Icon } from "./chat-parts";
import { useI18n } from "./i18n";

export type Rating = "up" | "down";

const THUMB_UP =
  "M7 10v11M7 10H4a1 1 0 0 0-1 1v9a1 1 0 0 0 1 1h3m0-11 4-8a2.5 2.5 0 0 1 2.5 2.5V9h5.2a2 2 0 0 1 2 2.3l-1.3 8A2 2 0 0 1 17.4 21H7";
const REGENERATE = "M3 12a9 9 0 0 1 15.5-6.2L21 8M21 3v5h-5M21 12a9 9 0 0 1-15.5 6.2L3 16M3 21v-5h5";

/**
 * What a student can do with a finished answer: copy its Markdown, rate it (pressing the chosen
 * thumb again clears it) and, on the last answer only, ask for a new one.
 */
export function AnswerActions({
  text,
  rating,
  onRate,
  onRegenerate,
  disabled,
}: {
  text: string;
  rating: Rating | null;
  onRate: (rating: Rating | null) => void;
  /** Only on the last answer. */
  onRegenerate?: () => void;
  disabled: boolean;
}) {
  const { m } = useI18n();
  return (
    // biome-ignore lint/a11y/useSemanticElements: a toolbar of buttons, not a form group
    <div
      role="group"
      aria-label={m.feedback.actions}
      className="mt-2 flex flex-wrap items-center justify-end gap-1"
    >
      {onRegenerate ? (
        <button
          type="button"
          onClick={onRegenerate}
          disabled={disabled}
          title={m.feedback.regenerateLabel}
          className="me-auto inline-flex min-h-9 items-center gap-1 rounded-md px-2 text-xs font-medium text-slate-700 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-brand-700 disabled:cursor-not-allowed disabled:text-slate-400"
        >
          <Icon d={REGENERATE} />
          {m.feedback.regenerate}
        </button>
      ) : null}
      <CopyButton text={text} />
      <ActionButton
        label={m.feedback.up}
        pressed={rating === "up"}
        disabled={disabled}
        onClick={() => onRate(rating === "up" ? null : "up")}
      >
        <Icon d={THUMB_UP} />
      </ActionButton>
      <ActionButton
        label={m.feedback.down}
        pressed={rating === "down"}
        disabled={disabled}
        onClick={() => onRate(rating === "down" ? null : "down")}
      >
        <Icon d={THUMB_UP} className="-scale-y-100" />
      </ActionButton>
    </div>
  );
}
