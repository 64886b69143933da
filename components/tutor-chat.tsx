"use client";

import { useChat } from "@ai-sdk/react";
import { DefaultChatTransport, type UIMessage } from "ai";
import Link from "next/link";
import { useCallback, useEffect, useRef, useState } from "react";
import type { z } from "zod";
import type { ConversationResponse, MessageResponse, SourceSchema } from "@/lib/api/chat";
import { GRADES } from "@/lib/curriculum/grades";
import { AnswerActions, type Rating } from "./answer-actions";
import { type ApiFailure, callApi, failureOf } from "./api-client";
import { useChatErrorText } from "./chat-errors";
import { ChatComposer, Thinking } from "./chat-parts";
import { citationHref } from "./citation-href";
import { formatDateTime, formatNumber } from "./format";
import { useI18n } from "./i18n";
import { MarkdownText } from "./markdown";
import { useToast } from "./toast";
import { Alert, Button, Card, Field, Select } from "./ui";
import { useErrorText } from "./use-error-text";

// The JSON shapes of the chat API, as the page receives them (type-only: no server code here).
export type Source = z.output<typeof SourceSchema>;
export type ConversationSummary = z.output<typeof ConversationResponse>;
export type StoredMessage = z.output<typeof MessageResponse>;

export interface ConversationDetail extends ConversationSummary {
  messages: StoredMessage[];
}

export interface Balance {
  balance: number;
  reserved: number;
  available: number;
  tier: string;
  pending_reservations: number;
}

/** The parts POST /api/chat streams before the text, and a stored answer's status. */
type TutorMessage = UIMessage<
  { status?: StoredMessage["status"] },
  { sources: Source[]; conversation: { conversation_id: string } }
>;

const HINT_LEVELS = [1, 2, 3, 4, 5];

/** A stored conversation as chat messages: an answer's sources come first, as when streamed. */
function toChatMessages(messages: StoredMessage[]): TutorMessage[] {
  return messages.map((msg) => ({
    id: msg.id,
    role: msg.role,
    metadata: { status: msg.status },
    parts: [
      ...(msg.role === "assistant" && msg.sources.length > 0
        ? [{ type: "data-sources" as const, data: msg.sources }]
        : []),
      { type: "text" as const, text: msg.content },
    ],
  }));
}

/** The stored ratings of a conversation's answers, by message id. */
function ratingsOf(messages: StoredMessage[] | undefined): Record<string, Rating | null> {
  return Object.fromEntries((messages ?? []).map((msg) => [msg.id, msg.feedback]));
}

function textOf(message: TutorMessage): string {
  return message.parts.map((p) => (p.type === "text" ? p.text : "")).join("");
}

function sourcesOf(message: TutorMessage): Source[] {
  const seen = new Set<string>();
  const sources: Source[] = [];
  for (const part of message.parts) {
    if (part.type !== "data-sources") continue;
    for (const s of part.data) {
      const key = `${s.document_id}#${s.page}`;
      if (seen.has(key)) continue;
      seen.add(key);
      sources.push(s);
    }
  }
  return sources;
}

/** An error response's JSON body (read from a copy: the transport reads the original). */
function jsonOf(res: Response): Promise<Record<string, unknown> | null> {
  return res
    .clone()
    .json()
    .catch(() => null);
}

/** The URL of the page a conversation is open on, so a reload reopens it. */
function chatUrl(conversationId: string | null): string {
  return conversationId ? `/chat?c=${conversationId}` : "/chat";
}

type ChatError = { kind: "chat" | "load"; failure: ApiFailure } | null;

/**
 * The student's tutor: conversations, the question settings (grade, subject, hint level), the
 * wallet, and the streamed answers with their sources. The server keeps the history: a question
 * is sent alone with its conversation_id once the first answer has given one.
 */
export function TutorChat({
  profileHintLevel,
  subjects,
  initialConversations,
  initialBalance,
  initialConversation,
}: {
  profileHintLevel: number;
  subjects: string[];
  initialConversations: ConversationSummary[];
  initialBalance: Balance;
  initialConversation: ConversationDetail | null;
}) {
  const { m, f, locale } = useI18n();
  const errorText = useErrorText();
  const chatErrorText = useChatErrorText();
  const [conversations, setConversations] = useState(initialConversations);
  const [balance, setBalance] = useState(initialBalance);
  const [conversationId, setConversationId] = useState(initialConversation?.id ?? null);
  const [grade, setGrade] = useState(initialConversation?.grade ?? "");
  const [subject, setSubject] = useState(initialConversation?.subject ?? "");
  const [hintLevel, setHintLevel] = useState(profileHintLevel);
  const [error, setError] = useState<ChatError>(null);
  const [stopped, setStopped] = useState<Set<string>>(() => new Set());
  const [loadingId, setLoadingId] = useState<string | null>(null);
  const [showList, setShowList] = useState(false);
  const [ratings, setRatings] = useState(() => ratingsOf(initialConversation?.messages));
  const toast = useToast();

  // The transport is created once: it reads the current settings through refs.
  const conversationRef = useRef(conversationId);
  const settingsRef = useRef({ grade, subject, hintLevel });
  settingsRef.current = { grade, subject, hintLevel };
  // What the last chat request answered (the transport only throws the body's text on an error).
  const responseRef = useRef<ApiFailure | null>(null);

  const selectConversation = useCallback((id: string | null) => {
    conversationRef.current = id;
    setConversationId(id);
    window.history.replaceState(null, "", chatUrl(id));
  }, []);

  const refreshBalance = useCallback(async () => {
    const r = await callApi<Balance>("/api/wallet/balance");
    if (r.ok) setBalance(r.data);
  }, []);

  const refreshConversations = useCallback(async () => {
    const r = await callApi<{ conversations: ConversationSummary[] }>("/api/conversations?limit=50");
    if (r.ok) setConversations(r.data.conversations);
  }, []);

  const [transport] = useState(
    () =>
      new DefaultChatTransport<TutorMessage>({
        api: "/api/chat",
        fetch: async (input, init) => {
          responseRef.current = null;
          const res = await fetch(input, init);
          responseRef.current = res.ok
            ? { status: res.status, detail: "", code: "OK" }
            : failureOf(res, await jsonOf(res));
          return res;
        },
        // Regenerating sends the question again (useChat has already dropped its last answer): the
        // server answers the conversation's last question and replaces the stored answer.
        prepareSendMessagesRequest: ({ messages, trigger }) => {
          const last = messages.findLast((msg) => msg.role === "user");
          const s = settingsRef.current;
          return {
            body: {
              message: last ? textOf(last) : "",
              conversation_id: conversationRef.current ?? undefined,
              regenerate: trigger === "regenerate-message" ? true : undefined,
              grade: s.grade || undefined,
              subject: s.subject || undefined,
              hint_level: s.hintLevel,
            },
          };
        },
      }),
  );

  const { messages, setMessages, sendMessage, regenerate, status, stop } = useChat<TutorMessage>({
    transport,
    messages: initialConversation ? toChatMessages(initialConversation.messages) : [],
    onData: (part) => {
      if (part.type === "data-conversation" && part.data.conversation_id !== conversationRef.current)
        selectConversation(part.data.conversation_id);
    },
    onError: () => {
      setError({
        kind: "chat",
        failure: responseRef.current ?? { status: 0, detail: "", code: "NETWORK" },
      });
    },
    onFinish: ({ message, isAbort }) => {
      if (isAbort) setStopped((s) => new Set(s).add(message.id));
      void refreshBalance();
      void refreshConversations();
    },
  });

  const busy = status === "submitted" || status === "streaming";

  // Follow the answer as it streams, unless the student scrolled up to read.
  const endRef = useRef<HTMLDivElement>(null);
  const followRef = useRef(true);
  useEffect(() => {
    const onScroll = () => {
      const { scrollY, innerHeight } = window;
      followRef.current = scrollY + innerHeight >= document.documentElement.scrollHeight - 160;
    };
    window.addEventListener("scroll", onScroll, { passive: true });
    return () => window.removeEventListener("scroll", onScroll);
  }, []);
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on every new piece of the answer
  useEffect(() => {
    if (followRef.current && busy) endRef.current?.scrollIntoView({ block: "end" });
  }, [messages, busy]);

  function ask(text: string) {
    setError(null);
    followRef.current = true;
    void sendMessage({ text });
  }

  function askAgain() {
    setError(null);
    followRef.current = true;
    void regenerate();
  }

  /** Optimistic: the thumb changes at once and goes back, with a toast, if the server refuses. */
  async function rate(messageId: string, rating: Rating | null) {
    const conversation = conversationRef.current;
    if (!conversation) return;
    const previous = ratings[messageId] ?? null;
    setRatings((r) => ({ ...r, [messageId]: rating }));
    const res = await callApi(`/api/conversations/${conversation}/messages/${messageId}/feedback`, {
      method: "PUT",
      body: { rating },
    });
    if (!res.ok) {
      setRatings((r) => ({ ...r, [messageId]: previous }));
      toast(m.feedback.saveFailed, "error");
    }
  }

  async function newConversation() {
    if (busy) await stop();
    setError(null);
    setMessages([]);
    setRatings({});
    selectConversation(null);
  }

  async function openConversation(id: string) {
    if (busy) await stop();
    setError(null);
    setLoadingId(id);
    const r = await callApi<ConversationDetail>(`/api/conversations/${id}`);
    setLoadingId(null);
    if (!r.ok) {
      setError({ kind: "load", failure: r.error });
      if (r.error.status === 404) void refreshConversations();
      return;
    }
    selectConversation(id);
    setShowList(false);
    setMessages(toChatMessages(r.data.messages));
    setRatings(ratingsOf(r.data.messages));
    setGrade(r.data.grade ?? "");
    setSubject(r.data.subject ?? "");
    document.getElementById("tutor-messages")?.scrollIntoView({ block: "start" });
  }

  const errorMessage = error
    ? error.kind === "chat"
      ? chatErrorText(error.failure, balance.available)
      : error.failure.status === 404
        ? m.chat.notFound
        : errorText(error.failure)
    : balance.available <= 0
      ? chatErrorText({ status: 402, detail: "", code: "INSUFFICIENT_BALANCE" }, balance.available)
      : null;

  const subjectOptions = subject && !subjects.includes(subject) ? [...subjects, subject] : subjects;
  const last = messages[messages.length - 1];
  const waiting = busy && (last?.role !== "assistant" || textOf(last) === "");

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-end gap-3">
        <div className="me-auto min-w-0">
          <h1 className="text-xl font-bold">{m.chat.title}</h1>
          <p className="text-sm text-slate-600">{m.chat.intro}</p>
        </div>
        <div className="flex flex-wrap items-center gap-2">
          {/* The balance opens the student's wallet page (what is left, where it went). */}
          <Link
            href="/wallet"
            data-testid="balance"
            title={m.chat.balanceLabel}
            className={`rounded-full px-3 py-1 text-sm font-semibold whitespace-nowrap hover:underline focus-visible:outline-2 focus-visible:outline-brand-700 ${
              balance.available > 0 ? "bg-brand-100 text-brand-900" : "bg-red-100 text-red-900"
            }`}
          >
            <span className="sr-only">{m.chat.balanceLabel} : </span>
            {f(m.chat.balance, { n: formatNumber(locale, balance.available) })}
          </Link>
          {/* On a phone the list is folded away above the chat; beside it on a wide screen. */}
          <Button
            variant="secondary"
            className="lg:hidden"
            aria-expanded={showList}
            aria-controls="conversation-list"
            onClick={() => setShowList((v) => !v)}
          >
            {m.chat.conversations} ({conversations.length})
          </Button>
          <Button variant="secondary" onClick={newConversation}>
            {m.chat.newConversation}
          </Button>
        </div>
      </div>

      <div className="grid gap-4 lg:grid-cols-[16rem_minmax(0,1fr)] lg:items-start">
        <section className="min-w-0 space-y-4 lg:order-2" aria-label={m.chat.title}>
          <Card flush className="p-4">
            <h2 className="sr-only">{m.chat.settings}</h2>
            <div className="grid grid-cols-2 gap-3 lg:grid-cols-[minmax(0,1fr)_minmax(0,1fr)_auto] lg:items-start">
              <Field label={m.chat.grade}>
                <Select value={grade} onChange={(e) => setGrade(e.target.value)}>
                  <option value="">{m.chat.any}</option>
                  {GRADES.map((g) => (
                    <option key={g} value={g}>
                      {g}
                    </option>
                  ))}
                </Select>
              </Field>
              <Field label={m.chat.subject}>
                <Select value={subject} onChange={(e) => setSubject(e.target.value)}>
                  <option value="">{m.chat.any}</option>
                  {subjectOptions.map((s) => (
                    <option key={s} value={s}>
                      {s}
                    </option>
                  ))}
                </Select>
              </Field>
              <HintLevelControl
                value={hintLevel}
                minimum={profileHintLevel}
                onChange={setHintLevel}
                className="col-span-2 lg:col-span-1"
              />
            </div>
            <p className="mt-2 text-xs text-slate-500">{f(m.chat.hintExplain, { n: profileHintLevel })}</p>
          </Card>

          <div id="tutor-messages" className="scroll-mt-4 space-y-4">
            {messages.length === 0 ? (
              <p className="rounded-xl border border-dashed border-slate-300 bg-white p-6 text-center text-slate-600">
                {m.chat.empty}
              </p>
            ) : (
              <ol className="space-y-4" aria-live="polite">
                {messages.map((message) =>
                  message.role === "user" ? (
                    <li key={message.id} className="flex justify-end" data-testid="user-message">
                      <div
                        dir="auto"
                        className="max-w-[85%] rounded-2xl rounded-ee-sm bg-brand-700 px-4 py-2 break-words whitespace-pre-wrap text-white"
                      >
                        <span className="sr-only">{m.chat.you} : </span>
                        {textOf(message)}
                      </div>
                    </li>
                  ) : (
                    <AssistantAnswer
                      key={message.id}
                      message={message}
                      streaming={busy && message.id === last?.id}
                      stopped={stopped.has(message.id)}
                      busy={busy}
                      rating={ratings[message.id] ?? null}
                      onRate={(rating) => void rate(message.id, rating)}
                      onRegenerate={message.id === last?.id ? askAgain : undefined}
                    />
                  ),
                )}
              </ol>
            )}
            {waiting ? <Thinking /> : null}
            <div ref={endRef} />
          </div>

          {errorMessage ? <Alert kind="error">{errorMessage}</Alert> : null}

          <ChatComposer
            busy={busy}
            onSend={ask}
            onStop={() => void stop()}
            placeholder={m.chat.placeholder}
            sticky
          />
        </section>

        <aside
          id="conversation-list"
          className={`min-w-0 lg:sticky lg:top-4 lg:order-1 ${showList ? "" : "max-lg:hidden"}`}
          aria-labelledby="conversations-title"
        >
          <Card flush className="overflow-hidden">
            <h2 id="conversations-title" className="px-4 pt-4 pb-2 font-semibold">
              {m.chat.conversations}
            </h2>
            {conversations.length === 0 ? (
              <p className="px-4 pb-4 text-sm text-slate-600">{m.chat.noConversations}</p>
            ) : (
              <ul className="max-h-[70dvh] divide-y divide-slate-100 overflow-y-auto">
                {conversations.map((c) => (
                  <li key={c.id}>
                    <button
                      type="button"
                      data-testid="conversation"
                      aria-current={c.id === conversationId ? "true" : undefined}
                      disabled={loadingId !== null}
                      onClick={() => openConversation(c.id)}
                      className={`block w-full px-4 py-3 text-start hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-brand-700 ${
                        c.id === conversationId ? "bg-brand-50" : ""
                      }`}
                    >
                      <span dir="auto" className="line-clamp-2 block text-sm font-medium break-words">
                        {c.title || m.chat.untitled}
                      </span>
                      <span className="mt-0.5 block text-xs text-slate-500">
                        {loadingId === c.id
                          ? m.chat.loading
                          : `${formatDateTime(locale, c.updated_at)} · ${f(m.chat.messageCount, { n: c.message_count })}`}
                      </span>
                    </button>
                  </li>
                ))}
              </ul>
            )}
          </Card>
        </aside>
      </div>
    </div>
  );
}

/**
 * Levels 1 (most help) to 5 (guiding questions): the profile's level, set by an admin, is the
 * most help a student can get; they may ask for less.
 */
function HintLevelControl({
  value,
  minimum,
  onChange,
  className = "",
}: {
  value: number;
  minimum: number;
  onChange: (level: number) => void;
  className?: string;
}) {
  const { m } = useI18n();
  return (
    <fieldset className={`min-w-0 space-y-1 ${className}`}>
      <legend className="mb-1 text-sm font-medium text-slate-800">{m.chat.hintLevel}</legend>
      <div className="inline-flex rounded-lg border border-slate-300 bg-white p-0.5">
        {HINT_LEVELS.map((n) => (
          <label
            key={n}
            title={n < minimum ? m.chat.hintLocked : m.hintLevels[n]}
            className="flex min-h-9 min-w-10 cursor-pointer items-center justify-center rounded-md px-3 text-sm font-semibold text-slate-700 has-checked:bg-brand-700 has-checked:text-white has-disabled:cursor-not-allowed has-disabled:text-slate-300 has-focus-visible:outline-2 has-focus-visible:outline-brand-700"
          >
            <input
              type="radio"
              name="hint_level"
              value={n}
              aria-label={m.hintLevels[n]}
              checked={value === n}
              disabled={n < minimum}
              onChange={() => onChange(n)}
              className="sr-only"
            />
            {n}
          </label>
        ))}
      </div>
      <p className="text-xs text-slate-600">{m.hintLevels[value]}</p>
    </fieldset>
  );
}

function AssistantAnswer({
  message,
  streaming,
  stopped,
  busy,
  rating,
  onRate,
  onRegenerate,
}: {
  message: TutorMessage;
  streaming: boolean;
  stopped: boolean;
  /** An answer is on its way: the actions wait. */
  busy: boolean;
  rating: Rating | null;
  onRate: (rating: Rating | null) => void;
  onRegenerate?: () => void;
}) {
  const { m, f } = useI18n();
  const text = textOf(message);
  const sources = sourcesOf(message);
  const status = message.metadata?.status;
  if (!text && !streaming && sources.length === 0) return null;
  return (
    <li data-testid="assistant-message" aria-busy={streaming}>
      <div className="rounded-2xl rounded-ss-sm border border-slate-200 bg-white p-4 shadow-sm">
        <span className="sr-only">{m.chat.tutor} : </span>
        {text ? <MarkdownText text={text} /> : null}
        {stopped || status === "partial" ? (
          <p className="mt-2 text-xs text-amber-800">{stopped ? m.chat.stopped : m.chat.partial}</p>
        ) : null}
        {status === "error" && !text ? <p className="text-sm text-red-800">{m.chat.failed}</p> : null}
        {sources.length > 0 ? (
          <div className="mt-3 border-t border-slate-100 pt-3">
            <h3 className="mb-2 text-xs font-semibold text-slate-500">{m.chat.sources}</h3>
            <ul className="flex flex-wrap gap-2">
              {sources.map((s) => (
                <li key={`${s.document_id}#${s.page}`} className="min-w-0 max-w-full">
                  <a
                    data-testid="source-chip"
                    href={citationHref(s)}
                    target="_blank"
                    rel="noopener"
                    title={s.excerpt}
                    dir="auto"
                    className="block max-w-full truncate rounded-full border border-brand-200 bg-brand-50 px-3 py-1 text-xs font-medium text-brand-900 hover:border-brand-600"
                  >
                    {f(m.chat.sourceChip, { title: s.title, n: s.page })}
                  </a>
                </li>
              ))}
            </ul>
          </div>
        ) : null}
        {text && !streaming ? (
          <AnswerActions
            text={text}
            rating={rating}
            onRate={onRate}
            onRegenerate={onRegenerate}
            disabled={busy}
          />
        ) : null}
      </div>
    </li>
  );
}
