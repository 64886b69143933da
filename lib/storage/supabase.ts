import { createClient, type WebSocketLikeConstructor } from "@supabase/supabase-js";
import WebSocket from "ws";
import { assertSafeKey, ObjectExistsError } from "./keys";
import type { ObjectStorage } from "./types";

export interface SupabaseStorageConfig {
  /** The project URL (SUPABASE_URL); Storage is under `${url}/storage/v1`. */
  url: string;
  /** Bypasses row-level security: this module runs on the server only and never hands it out. */
  serviceRoleKey: string;
  bucket: string;
  /** How long to wait for Storage to start answering before giving up. */
  timeoutMs?: number;
}

/** What supabase-js's StorageError carries (StorageApiError adds the server's `code`). */
interface StorageFailure {
  message: string;
  status?: number;
  statusCode?: string | number;
  code?: string;
}

/**
 * Storage answers most errors with HTTP 400 and the real status in the body's `statusCode`
 * (supabase/storage's error handler), so both are looked at.
 */
function statusOf(e: StorageFailure): string | undefined {
  // Not always a string: storage-js copies the body's statusCode, a number in fastify's own errors.
  const status = e.statusCode ?? e.status;
  return status === undefined ? undefined : String(status);
}

/**
 * Only Storage's own "no such object" is a missing file. A missing bucket is also a "404" and so
 * is a proxy's page for a wrong SUPABASE_URL: those are configuration errors, and reading them as
 * "file not found" would hide them.
 */
function isMissingObject(e: StorageFailure): boolean {
  if (e.code === "NoSuchKey") return true;
  return statusOf(e) === "404" && /^(object not found|the resource was not found)$/i.test(e.message);
}

function isConflict(e: StorageFailure): boolean {
  return (
    e.code === "KeyAlreadyExists" ||
    e.code === "ResourceAlreadyExists" ||
    e.code === "Duplicate" ||
    statusOf(e) === "409"
  );
}

function failure(operation: string, e: StorageFailure): Error {
  const status = statusOf(e);
  return new Error(`Supabase Storage ${operation} failed${status ? ` (${status})` : ""}: ${e.message}`, {
    cause: e,
  });
}

/**
 * fetch with a deadline for the response to start. Without one, a Storage outage holds an upload
 * request (and its 10 MB body) open forever. The body itself is not timed: downloads stream to slow
 * clients at their own pace.
 */
function fetchWithDeadline(timeoutMs: number): typeof fetch {
  return async (input, init) => {
    const deadline = new AbortController();
    const timer = setTimeout(
      () => deadline.abort(new Error(`Supabase Storage did not answer within ${timeoutMs / 1000} s`)),
      timeoutMs,
    );
    const signal = init?.signal ? AbortSignal.any([init.signal, deadline.signal]) : deadline.signal;
    try {
      return await fetch(input, { ...init, signal });
    } finally {
      clearTimeout(timer);
    }
  };
}

const emptyStream = () =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      controller.close();
    },
  });

/** A private Supabase Storage bucket, reached with the service-role key. */
export function createSupabaseStorage({
  url,
  serviceRoleKey,
  bucket,
  timeoutMs = 60_000,
}: SupabaseStorageConfig): ObjectStorage {
  if (!bucket || bucket.includes("/"))
    throw new Error(`Invalid Supabase Storage bucket name ${JSON.stringify(bucket)}`);
  // One client for the process: it holds no user session, only the service key.
  const client = createClient(url, serviceRoleKey, {
    // No session to keep or refresh: every request carries the service key.
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    // realtime-js wants a WebSocket constructor as soon as a client is built and Node 20 has none
    // (STACK-NOTES). Storage never opens a socket. ws's overloads do not match the declared type.
    realtime: { transport: WebSocket as unknown as WebSocketLikeConstructor },
    global: { fetch: fetchWithDeadline(timeoutMs) },
  });
  const files = () => client.storage.from(bucket);

  return {
    name: "supabase",

    async put(key, bytes, contentType) {
      assertSafeKey(key);
      const { error } = await files().upload(key, bytes, { contentType, upsert: false });
      if (!error) return;
      if (isConflict(error)) throw new ObjectExistsError(key);
      throw failure("upload", error);
    },

    async getBytes(key) {
      assertSafeKey(key);
      const { data, error } = await files().download(key);
      if (error) {
        if (isMissingObject(error)) return null;
        throw failure("download", error);
      }
      return new Uint8Array(await data.arrayBuffer());
    },

    async getStream(key) {
      assertSafeKey(key);
      // The response body itself: the file is never held in memory on its way to the client.
      const { data, error } = await files().download(key).asStream();
      if (error) {
        if (isMissingObject(error)) return null;
        throw failure("download", error);
      }
      return (data as ReadableStream<Uint8Array> | null) ?? emptyStream();
    },

    async delete(key) {
      assertSafeKey(key);
      // Storage answers a missing object with an empty list, not an error.
      const { error } = await files().remove([key]);
      if (error) throw failure("delete", error);
    },
  };
}
