/** Where uploaded files live: a local folder by default, a Supabase Storage bucket when configured. */
export interface ObjectStorage {
  readonly name: "local" | "supabase";
  /** Stores bytes under a key made by `objectKey` (never a path taken from user input). */
  put(key: string, bytes: Uint8Array, contentType: string): Promise<void>;
  /** The whole object, or null when it does not exist. */
  getBytes(key: string): Promise<Uint8Array | null>;
  /** A stream of the object (for downloads), or null when it does not exist. */
  getStream(key: string): Promise<ReadableStream<Uint8Array> | null>;
  /** Removes the object; a missing object is not an error. */
  delete(key: string): Promise<void>;
}
