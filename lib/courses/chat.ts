import type { ModelMessage } from "ai";
import { asc, eq } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { chatHistory } from "@/db/schema";
import { completeBilled } from "@/lib/ai/call";
import { courseContextMessage, courseSystemPrompt, detectLanguage } from "@/lib/ai/prompts";
import { asProviderFailure } from "@/lib/ai/tutor";
import { getProfileOrThrow } from "@/lib/profiles";
import { enforceChatRateLimit } from "@/lib/rate-limit";
import { searchCourseMaterials } from "@/lib/retrieval";
import { getCourseOrThrow } from "./index";

export type ChatHistoryRow = typeof chatHistory.$inferSelect;

/** Materials given to the model per question, as the materials API says. */
const TOP_MATERIALS = 3;

/**
 * The materials API's course chat: the course's three most relevant materials in the
 * specification's context block, the student's history (roles user/model), billed like every
 * chat; the exchange is saved to chat_history.
 */
export async function courseChat(
  db: DbOrTx,
  input: {
    userId: string;
    courseId: string;
    message: string;
    history: { role: "user" | "model"; content: string }[];
    /** The client's address, for the per-IP chat limit. */
    ip: string;
    signal?: AbortSignal;
  },
): Promise<{ response: string; timestamp: Date }> {
  await enforceChatRateLimit(db, { ip: input.ip, userId: input.userId });
  await getCourseOrThrow(db, { courseId: input.courseId, userId: input.userId });
  const profile = await getProfileOrThrow(db, { userId: input.userId });
  const found = await searchCourseMaterials(db, {
    courseId: input.courseId,
    query: input.message,
    limit: TOP_MATERIALS,
  }).catch(asProviderFailure);
  const language = detectLanguage(input.message);
  const messages: ModelMessage[] = [
    ...input.history
      .slice(-10)
      .map((h) => ({ role: h.role === "model" ? "assistant" : "user", content: h.content }) as ModelMessage),
    {
      role: "user",
      content: courseContextMessage({
        materials: found.map((m) => ({ name: m.name, excerpt: m.excerpt, relevance: m.similarity })),
        question: input.message,
      }),
    },
  ];
  const outcome = await completeBilled(db, {
    userId: input.userId,
    system: courseSystemPrompt({ hintLevel: profile.hintLevel, language }),
    messages,
    purpose: "course_chat",
    signal: input.signal,
  });
  const [row] = await db
    .insert(chatHistory)
    .values({
      courseId: input.courseId,
      userId: input.userId,
      history: [
        { role: "user", content: input.message },
        { role: "model", content: outcome.text },
      ],
    })
    .returning();
  return { response: outcome.text, timestamp: row?.createdAt ?? new Date() };
}

/** The course's chat history, oldest first (404 for anyone else's course). */
export async function getCourseChatHistory(
  db: DbOrTx,
  { userId, courseId }: { userId: string; courseId: string },
): Promise<ChatHistoryRow[]> {
  await getCourseOrThrow(db, { courseId, userId });
  return db
    .select()
    .from(chatHistory)
    .where(eq(chatHistory.courseId, courseId))
    .orderBy(asc(chatHistory.createdAt), asc(chatHistory.id));
}
