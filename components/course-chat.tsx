"use client";

import { useState } from "react";
import { type ApiFailure, callApi } from "./api-client";
import { useChatErrorText } from "./chat-errors";
import { ChatComposer, CopyButton, Thinking } from "./chat-parts";
import { useI18n } from "./i18n";
import { MarkdownText } from "./markdown";
import { Alert, Card } from "./ui";

export interface CourseTurn {
  role: "user" | "model";
  content: string;
}

/** Earlier turns sent with a question (the server reads the last ten). */
const HISTORY_SENT = 10;

/**
 * The course chat: answers from the course's own materials, whole (not streamed). The client
 * keeps the history and sends it with each question, as POST /api/courses/{id}/chat expects.
 */
export function CourseChat({ courseId, initialHistory }: { courseId: string; initialHistory: CourseTurn[] }) {
  const { m } = useI18n();
  const chatErrorText = useChatErrorText();
  const [history, setHistory] = useState(initialHistory);
  const [pending, setPending] = useState<string | null>(null);
  const [error, setError] = useState<{ failure: ApiFailure; available: number | null } | null>(null);

  async function ask(message: string) {
    setError(null);
    setPending(message);
    const r = await callApi<{ response: string; timestamp: string }>(`/api/courses/${courseId}/chat`, {
      body: {
        message,
        history: history
          .slice(-HISTORY_SENT)
          .map((t) => ({ role: t.role, content: t.content.slice(0, 8000) })),
      },
    });
    setPending(null);
    if (r.ok) {
      setHistory((h) => [
        ...h,
        { role: "user", content: message },
        { role: "model", content: r.data.response },
      ]);
      return;
    }
    let available: number | null = null;
    if (r.error.status === 402) {
      const b = await callApi<{ available: number }>("/api/wallet/balance");
      if (b.ok) available = b.data.available;
    }
    setError({ failure: r.error, available });
  }

  const turns: CourseTurn[] = pending ? [...history, { role: "user", content: pending }] : history;
  return (
    <Card>
      <h2 className="text-lg font-semibold">{m.courseChat.title}</h2>
      <p className="mb-4 text-sm text-slate-600">{m.courseChat.intro}</p>
      <div className="space-y-4">
        {turns.length === 0 ? (
          <p className="text-sm text-slate-600">{m.courseChat.empty}</p>
        ) : (
          <ol className="space-y-4" aria-live="polite">
            {turns.map((t, i) =>
              t.role === "user" ? (
                // biome-ignore lint/suspicious/noArrayIndexKey: turns are only ever appended
                <li key={i} className="flex justify-end" data-testid="course-chat-question">
                  <div
                    dir="auto"
                    className="max-w-[85%] rounded-2xl rounded-ee-sm bg-brand-700 px-4 py-2 break-words whitespace-pre-wrap text-white"
                  >
                    <span className="sr-only">{m.chat.you} : </span>
                    {t.content}
                  </div>
                </li>
              ) : (
                // biome-ignore lint/suspicious/noArrayIndexKey: turns are only ever appended
                <li key={i} data-testid="course-chat-answer">
                  <div className="rounded-2xl rounded-ss-sm border border-slate-200 bg-slate-50 p-4">
                    <span className="sr-only">{m.chat.tutor} : </span>
                    <MarkdownText text={t.content} />
                    <div className="mt-2 flex justify-end">
                      <CopyButton text={t.content} />
                    </div>
                  </div>
                </li>
              ),
            )}
          </ol>
        )}
        {pending ? <Thinking /> : null}
        {error ? <Alert kind="error">{chatErrorText(error.failure, error.available)}</Alert> : null}
        <ChatComposer busy={pending !== null} onSend={ask} placeholder={m.courseChat.placeholder} />
      </div>
    </Card>
  );
}
