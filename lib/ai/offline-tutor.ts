import type {
  LanguageModelV3,
  LanguageModelV3CallOptions,
  LanguageModelV3FinishReason,
  LanguageModelV3GenerateResult,
  LanguageModelV3Prompt,
  LanguageModelV3StreamPart,
  LanguageModelV3Usage,
} from "@ai-sdk/provider";
import { sameTerm, terms } from "@/lib/text/terms";
import {
  DEFAULT_HINT_LEVEL,
  detectLanguage,
  NOT_IN_TEXTBOOKS,
  PAGE_LABEL,
  type PromptPassage,
  parseCourseContext,
  parsePassagesBlock,
  parseTutorMarker,
  type TutorLanguage,
} from "./prompts";
import { estimateTokens } from "./tokens";

// The embedded chat model: an AI SDK LanguageModelV3 with no neural network in it. It reads the
// prompt a remote model would get (the library tutor's passages block and marker, or the course
// chat's materials message), and composes an answer from the passages alone: quotes with
// citations at low hint levels, pointers and a question at middle levels, guiding questions only
// at level 5. It never states anything that is not in a passage, says plainly that it is not an
// AI model, streams word by word and reports usage, so the chat, streaming and billing code
// paths are the same with or without OPENAI_API_KEY. Same prompt, same answer.

export const OFFLINE_TUTOR_PROVIDER = "bacmr";
export const OFFLINE_TUTOR_MODEL_ID = "offline-tutor-v1";

// ---------------------------------------------------------------------------------------------
// Texts

interface Texts {
  notice: string;
  rephrase: string;
  others: string;
  outro1: string;
  outro2: string;
  keySentence: (label: string) => string;
  yourTurn: string;
  look: (label: string, topics: string) => string;
  hintSentence: (k: number) => string;
  hintSingle: string;
  askTopics: (topics: string) => string;
  askPlain: string;
  socraticIntro: string;
  q1: (label: string, topics: string) => string;
  q1Plain: (label: string) => string;
  q2Compare: (cite: string) => string;
  q2Find: string;
  q3: string;
  topics: (words: string[]) => string;
}

const TEXTS: Record<TutorLanguage, Texts> = {
  fr: {
    notice: "Tuteur hors ligne (sans modèle d'IA) : voici ce que disent tes manuels.",
    rephrase: "Reformule ta question avec d'autres mots, ou choisis une autre matière.",
    others: "Autres passages utiles :",
    outro1:
      "Relis ces passages dans ton manuel aux pages indiquées : les exemples et les schémas autour complètent l'explication.",
    outro2: "Relis ces passages, puis essaie de réexpliquer la réponse avec tes propres mots.",
    keySentence: (label) => `La réponse se trouve dans ${label}. La phrase clé :`,
    yourTurn:
      "À toi : en t'appuyant sur ce passage, comment répondrais-tu à ta question ? Écris ta réponse, puis compare-la avec ton manuel.",
    look: (label, topics) => `Regarde ${label} : ce passage parle de ${topics}.`,
    hintSentence: (k) => `Indice : la réponse est dans la phrase n° ${k} de ce passage.`,
    hintSingle: "Indice : ce passage tient en une phrase ; lis-la mot à mot.",
    askTopics: (topics) => `Que dit ce passage sur ${topics} ? Essaie de répondre avant de relire la suite.`,
    askPlain: "Qu'est-ce qui, dans ce passage, répond à ta question ? Essaie avant de relire la suite.",
    socraticIntro: "Je ne te donne pas la réponse : trouve-la toi-même en suivant ces questions.",
    q1: (label, topics) => `Relis ${label} : que dit-on de ${topics} ?`,
    q1Plain: (label) => `Relis ${label} : qu'y lit-on qui réponde à ta question ?`,
    q2Compare: (cite) => `Que dit ${cite} sur le même sujet, et qu'apporte-t-il de plus ?`,
    q2Find: "Quelle phrase de ce passage répond exactement à ta question ?",
    q3: "Peux-tu maintenant formuler la réponse en une phrase, avec tes propres mots ?",
    topics: (words) => words.map((w) => `« ${w} »`).join(", "),
  },
  ar: {
    notice: "المعلم دون اتصال (بدون نموذج ذكاء اصطناعي): إليك ما تقوله كتبك المدرسية.",
    rephrase: "أعد صياغة سؤالك بكلمات أخرى، أو اختر مادة أخرى.",
    others: "مقاطع أخرى مفيدة:",
    outro1: "اقرأ هذه المقاطع في كتابك في الصفحات المذكورة: الأمثلة والرسوم المحيطة بها تكمل الشرح.",
    outro2: "أعد قراءة هذه المقاطع، ثم حاول أن تشرح الإجابة بكلماتك الخاصة.",
    keySentence: (label) => `الإجابة موجودة في ${label}. الجملة الأساسية:`,
    yourTurn: "دورك الآن: اعتمادا على هذا المقطع، كيف تجيب عن سؤالك؟ اكتب إجابتك ثم قارنها بما في كتابك.",
    look: (label, topics) => `انظر إلى ${label}: يتحدث هذا المقطع عن ${topics}.`,
    hintSentence: (k) => `تلميح: الإجابة في الجملة رقم ${k} من هذا المقطع.`,
    hintSingle: "تلميح: هذا المقطع جملة واحدة؛ اقرأها كلمة كلمة.",
    askTopics: (topics) => `ماذا يقول هذا المقطع عن ${topics}؟ حاول أن تجيب قبل أن تكمل القراءة.`,
    askPlain: "ما الذي يجيب عن سؤالك في هذا المقطع؟ حاول قبل أن تكمل القراءة.",
    socraticIntro: "لن أعطيك الإجابة: ابحث عنها بنفسك باتباع هذه الأسئلة.",
    q1: (label, topics) => `أعد قراءة ${label}: ماذا يقال عن ${topics}؟`,
    q1Plain: (label) => `أعد قراءة ${label}: ما الذي تجده فيه ويجيب عن سؤالك؟`,
    q2Compare: (cite) => `ماذا يضيف ${cite} حول الموضوع نفسه؟`,
    q2Find: "ما الجملة في هذا المقطع التي تجيب بالضبط عن سؤالك؟",
    q3: "هل يمكنك الآن أن تصوغ الإجابة في جملة واحدة بكلماتك الخاصة؟",
    topics: (words) => words.map((w) => `«${w}»`).join("، "),
  },
  en: {
    notice: "Offline tutor (no AI model): here is what your textbooks say.",
    rephrase: "Try rephrasing your question, or choose another subject.",
    others: "Other useful passages:",
    outro1:
      "Read these passages in your textbook at the pages given: the examples and diagrams around them complete the explanation.",
    outro2: "Read these passages again, then try to explain the answer in your own words.",
    keySentence: (label) => `The answer is in ${label}. The key sentence:`,
    yourTurn:
      "Your turn: using this passage, how would you answer your question? Write your answer, then compare it with your textbook.",
    look: (label, topics) => `Look at ${label}: this passage is about ${topics}.`,
    hintSentence: (k) => `Hint: the answer is in sentence ${k} of this passage.`,
    hintSingle: "Hint: this passage is a single sentence; read it word by word.",
    askTopics: (topics) => `What does this passage say about ${topics}? Try to answer before reading on.`,
    askPlain: "What in this passage answers your question? Try before reading on.",
    socraticIntro: "I won't give you the answer: find it yourself by following these questions.",
    q1: (label, topics) => `Read ${label} again: what does it say about ${topics}?`,
    q1Plain: (label) => `Read ${label} again: what do you find there that answers your question?`,
    q2Compare: (cite) => `What does ${cite} add on the same subject?`,
    q2Find: "Which sentence of this passage answers your question exactly?",
    q3: "Can you now state the answer in one sentence, in your own words?",
    topics: (words) => words.map((w) => `“${w}”`).join(", "),
  },
};

// ---------------------------------------------------------------------------------------------
// Reading the prompt

/** What the offline tutor understood of a prompt. */
export interface OfflineTutorRequest {
  language: TutorLanguage;
  hintLevel: number;
  passages: PromptPassage[];
  question: string;
}

function messageText(message: LanguageModelV3Prompt[number]): string {
  if (message.role === "system") return message.content;
  return message.content
    .map((part) => (part.type === "text" || part.type === "reasoning" ? part.text : ""))
    .filter(Boolean)
    .join("\n");
}

/** All the text of a prompt, as counted for usage. */
function promptText(prompt: LanguageModelV3Prompt): string {
  return prompt.map(messageText).join("\n");
}

/**
 * Passages and the marker are read from system messages only, and the course-materials format
 * from the last user message only (where the two chats put them): a student who types a
 * `<tutor hint_level="1"/>` or a fake passages block gets nothing from it.
 */
export function readTutorPrompt(prompt: LanguageModelV3Prompt): OfflineTutorRequest {
  const system = prompt
    .filter((m) => m.role === "system")
    .map(messageText)
    .join("\n");
  const lastUser = [...prompt].reverse().find((m) => m.role === "user");
  const userText = lastUser ? messageText(lastUser) : "";
  const marker = parseTutorMarker(system);
  const course = parseCourseContext(userText);
  const question = (course ? course.question : userText).trim();
  const passages = course && course.passages.length > 0 ? course.passages : parsePassagesBlock(system);
  const hasLetters = /\p{L}/u.test(question);
  return {
    language: hasLetters ? detectLanguage(question) : (marker?.language ?? "fr"),
    hintLevel: marker?.hintLevel ?? DEFAULT_HINT_LEVEL,
    passages,
    question,
  };
}

/** Which of the question's (distinct) terms a text contains. */
function matched(question: string[], text: string[]): boolean[] {
  return question.map((q) => text.some((t) => sameTerm(q, t)));
}

// ---------------------------------------------------------------------------------------------
// Composing the answer

interface Sentence {
  text: string;
  score: number;
}

interface RankedPassage {
  passage: PromptPassage;
  score: number;
  sentences: Sentence[];
}

function collapse(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

/** Sentences of a passage: at ". ! ? ؟" followed by a space, at bullets and at blank lines. */
function splitSentences(text: string): string[] {
  return text
    .split(/\n\s*\n|(?<=[.!?؟])\s+|\s+(?=[•▪●■]\s)/u)
    .map(collapse)
    .filter((s) => /[\p{L}\p{N}]/u.test(s));
}

/**
 * Passages by relevance to the question, each with its sentences scored. A question word weighs
 * more when few sentences contain it (inverse document frequency over these passages), so
 * "demi-vie" decides over "radioactive" in a chapter on radioactivity.
 */
function rank(passages: PromptPassage[], questionTerms: string[]): RankedPassage[] {
  const question = [...new Set(questionTerms)];
  const split = passages.map((passage) =>
    splitSentences(passage.text).map((text) => ({ text, hits: matched(question, terms(text)) })),
  );
  const all = split.flat();
  const weight = question.map((_, k) => {
    const df = all.filter((s) => s.hits[k]).length;
    return df === 0 ? 0 : Math.log(1 + all.length / df);
  });
  const score = (hits: boolean[]) => hits.reduce((sum, hit, k) => sum + (hit ? (weight[k] as number) : 0), 0);
  return passages
    .map((passage, i) => {
      const sentences = (split[i] ?? []).map((s) => ({ text: s.text, score: score(s.hits) }));
      return { passage, score: score(matched(question, terms(passage.text))), sentences };
    })
    .sort((a, b) => b.score - a.score || a.passage.n - b.passage.n);
}

function cite(p: PromptPassage, lang: TutorLanguage): string {
  return p.page === undefined ? `[${p.n}]` : `[${p.n}] (${PAGE_LABEL[lang]} ${p.page})`;
}

function label(p: PromptPassage, lang: TutorLanguage): string {
  const title = collapse(p.title);
  return title ? `${cite(p, lang)} — *${title}*` : cite(p, lang);
}

/** A text cut at a word boundary to at most `max` characters, with an ellipsis when cut. */
function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max);
  const space = cut.lastIndexOf(" ");
  return `${(space > max / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/**
 * The part of a passage worth quoting: all of it when short, else its best sentences (most
 * question words first, in reading order), else its opening.
 */
function quote(r: RankedPassage, maxChars: number, maxSentences: number): string {
  const whole = collapse(r.passage.text);
  if (whole.length <= maxChars) return whole;
  const order = r.sentences
    .map((s, i) => ({ ...s, i }))
    .sort((a, b) => b.score - a.score || a.i - b.i)
    .slice(0, maxSentences);
  const chosen: { text: string; i: number }[] = [];
  let length = 0;
  for (const s of order) {
    if (chosen.length > 0 && length + s.text.length > maxChars) continue;
    chosen.push(s);
    length += s.text.length + 1;
  }
  chosen.sort((a, b) => a.i - b.i);
  const parts: string[] = [];
  chosen.forEach((s, k) => {
    if (k > 0 && s.i !== (chosen[k - 1] as { i: number }).i + 1) parts.push("…");
    parts.push(s.text);
  });
  return clip(parts.join(" "), maxChars);
}

/** Index of the sentence sharing most words with the question (the first one on ties). */
function bestSentenceIndex(r: RankedPassage): number {
  let best = 0;
  r.sentences.forEach((s, i) => {
    if (s.score > (r.sentences[best] as Sentence).score) best = i;
  });
  return best;
}

function bestSentence(r: RankedPassage): string {
  return r.sentences[bestSentenceIndex(r)]?.text ?? collapse(r.passage.text);
}

/**
 * The question's own words (as the student wrote them) that the passage also contains, or its
 * content words when none is shared (`shared` tells which).
 */
function topicWords(question: string, passage: PromptPassage, max = 3): { words: string[]; shared: boolean } {
  const passageTerms = terms(passage.text);
  const shared: string[] = [];
  const content: string[] = [];
  const seen = new Set<string>();
  for (const word of question.match(/[\p{L}\p{M}\p{N}]+(?:[-'’][\p{L}\p{M}\p{N}]+)*/gu) ?? []) {
    const stems = terms(word).filter((t) => !/^\d+$/.test(t));
    if (stems.length === 0) continue;
    const key = stems.join(" ");
    if (seen.has(key)) continue;
    seen.add(key);
    // Drop an elided article ("l'activité" → "activité"): it reads better in quotes.
    const shown = word.replace(/^[a-zA-Z]['’]/u, "");
    content.push(shown);
    if (stems.some((s) => passageTerms.some((t) => sameTerm(s, t)))) shared.push(shown);
  }
  return shared.length > 0
    ? { words: shared.slice(0, max), shared: true }
    : { words: content.slice(0, max), shared: false };
}

function others(ranked: RankedPassage[], shown: Set<number>, t: Texts, lang: TutorLanguage): string[] {
  const rest = ranked.filter((r) => !shown.has(r.passage.n) && r.score > 0).map((r) => cite(r.passage, lang));
  return rest.length > 0 ? [`${t.others} ${rest.join(", ")}.`] : [];
}

/** Levels 1–2: the most relevant passages, quoted with their citations. */
function quoting(level: number, ranked: RankedPassage[], t: Texts, lang: TutorLanguage): string[] {
  const maxPassages = level === 1 ? 3 : 2;
  const relevant = ranked.filter((r) => r.score > 0).slice(0, maxPassages);
  // Retrieval already ranked them: when no word is shared (another language), trust its first.
  const chosen = relevant.length > 0 ? relevant : ranked.slice(0, 1);
  const lines: string[] = [];
  for (const r of chosen) {
    lines.push(`**${label(r.passage, lang)}**`);
    lines.push(`> ${level === 1 ? quote(r, 700, 4) : quote(r, 350, 2)}`, "");
  }
  lines.push(...others(ranked, new Set(chosen.map((r) => r.passage.n)), t, lang));
  lines.push(level === 1 ? t.outro1 : t.outro2);
  return lines;
}

/** Level 3: where the answer is, its key sentence, then the student's turn. */
function pointing(top: RankedPassage, ranked: RankedPassage[], t: Texts, lang: TutorLanguage): string[] {
  return [
    t.keySentence(label(top.passage, lang)),
    `> ${clip(bestSentence(top), 300)}`,
    "",
    ...others(ranked, new Set([top.passage.n]), t, lang),
    t.yourTurn,
  ];
}

/**
 * Level 4: where to look (passage, page, which sentence), a question; no quote, since even the
 * first words of the useful sentence can be the answer ("Elle s'exprime en becquerel…").
 */
function hinting(top: RankedPassage, question: string, t: Texts, lang: TutorLanguage): string[] {
  // "This passage is about X" only when it is: a question in another language shares no word.
  const topics = topicWords(question, top.passage);
  const shown = topics.shared ? t.topics(topics.words) : "";
  return [
    shown ? t.look(label(top.passage, lang), shown) : `${label(top.passage, lang)}.`,
    top.sentences.length > 1 ? t.hintSentence(bestSentenceIndex(top) + 1) : t.hintSingle,
    "",
    shown ? t.askTopics(shown) : t.askPlain,
  ];
}

/**
 * Level 5: guiding questions only. Nothing of the passages is shown but their citations and
 * titles; the topic words come from the student's own question, so no result, number or
 * definition of the passages can leak.
 */
function socratic(ranked: RankedPassage[], question: string, t: Texts, lang: TutorLanguage): string[] {
  const [top, second] = ranked as [RankedPassage, RankedPassage | undefined];
  const topics = topicWords(question, top.passage).words;
  const questions = [
    topics.length > 0
      ? t.q1(label(top.passage, lang), t.topics(topics))
      : t.q1Plain(label(top.passage, lang)),
    second && second.score > 0 ? t.q2Compare(cite(second.passage, lang)) : t.q2Find,
    t.q3,
  ];
  return [t.socraticIntro, "", ...questions.map((q, i) => `${i + 1}. ${q}`)];
}

/** The offline tutor's whole answer to a request (deterministic). */
export function composeOfflineAnswer(req: OfflineTutorRequest): string {
  const lang = req.language;
  const t = TEXTS[lang];
  const passages = req.passages.filter((p) => collapse(p.text) !== "");
  if (passages.length === 0) return `${NOT_IN_TEXTBOOKS[lang]} ${t.rephrase}`;
  const ranked = rank(passages, terms(req.question));
  const top = ranked[0] as RankedPassage;
  const level = req.hintLevel;
  const body =
    level <= 2
      ? quoting(level, ranked, t, lang)
      : level === 3
        ? pointing(top, ranked, t, lang)
        : level === 4
          ? hinting(top, req.question, t, lang)
          : socratic(ranked, req.question, t, lang);
  return [t.notice, "", ...body].join("\n").trim();
}

// ---------------------------------------------------------------------------------------------
// The model

/** Pieces of the answer for text-delta parts: a word with the spaces after it. */
function pieces(text: string): string[] {
  return text.match(/\S+\s*|\s+/g) ?? [];
}

/** The answer within maxOutputTokens, like a real model cut at its limit. */
function limit(answer: string, maxOutputTokens: number | undefined): { text: string; cut: boolean } {
  if (maxOutputTokens === undefined || estimateTokens(answer) <= maxOutputTokens)
    return { text: answer, cut: false };
  let text = "";
  for (const piece of pieces(answer)) {
    if (estimateTokens(text + piece) > maxOutputTokens) break;
    text += piece;
  }
  return { text, cut: true };
}

function usage(input: string, output: string): LanguageModelV3Usage {
  const inputTokens = estimateTokens(input);
  const outputTokens = estimateTokens(output);
  return {
    inputTokens: { total: inputTokens, noCache: inputTokens, cacheRead: 0, cacheWrite: 0 },
    outputTokens: { total: outputTokens, text: outputTokens, reasoning: 0 },
  };
}

function run(options: LanguageModelV3CallOptions) {
  const answer = composeOfflineAnswer(readTutorPrompt(options.prompt));
  const { text, cut } = limit(answer, options.maxOutputTokens);
  const finishReason: LanguageModelV3FinishReason = cut
    ? { unified: "length", raw: "length" }
    : { unified: "stop", raw: "stop" };
  return { text, finishReason, usage: usage(promptText(options.prompt), text) };
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException("This operation was aborted", "AbortError");
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}

/**
 * The offline tutor as an AI SDK model (provider "bacmr", model "offline-tutor-v1").
 * `delayMs` waits before each word so a UI visibly streams (0: as fast as the reader pulls).
 * An aborted call stops emitting and errors its stream with the signal's reason, as a fetch
 * body does.
 */
export function createOfflineTutorModel(opts: { delayMs?: number } = {}): LanguageModelV3 {
  const delayMs = Math.max(0, opts.delayMs ?? 0);
  return {
    specificationVersion: "v3",
    provider: OFFLINE_TUTOR_PROVIDER,
    modelId: OFFLINE_TUTOR_MODEL_ID,
    supportedUrls: {},

    async doGenerate(options): Promise<LanguageModelV3GenerateResult> {
      if (options.abortSignal?.aborted) throw abortReason(options.abortSignal);
      const { text, finishReason, usage } = run(options);
      return { content: [{ type: "text", text }], finishReason, usage, warnings: [] };
    },

    async doStream(options) {
      const signal = options.abortSignal;
      if (signal?.aborted) throw abortReason(signal);
      const { text, finishReason, usage } = run(options);
      const id = "text-0";
      const parts: LanguageModelV3StreamPart[] = [
        { type: "stream-start", warnings: [] },
        { type: "text-start", id },
        ...pieces(text).map((delta): LanguageModelV3StreamPart => ({ type: "text-delta", id, delta })),
        { type: "text-end", id },
        { type: "finish", finishReason, usage },
      ];
      let next = 0;
      const stream = new ReadableStream<LanguageModelV3StreamPart>({
        async pull(controller) {
          const part = parts[next++];
          if (delayMs > 0 && part?.type === "text-delta") await sleep(delayMs, signal);
          if (signal?.aborted) {
            controller.error(abortReason(signal));
            return;
          }
          if (part === undefined) {
            controller.close();
            return;
          }
          controller.enqueue(part);
          if (next === parts.length) controller.close();
        },
      });
      return { stream };
    },
  };
}
