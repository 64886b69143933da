import { randomUUID } from "node:crypto";
import { access, type FileHandle, link, mkdir, open, readFile, rename, rm, unlink } from "node:fs/promises";
import path from "node:path";
import { assertSafeKey, ObjectExistsError, UnsafeKeyError } from "./keys";
import type { ObjectStorage } from "./types";

const errorCode = (err: unknown) => (err as NodeJS.ErrnoException | undefined)?.code;

// A missing file, a file where a folder should be ("a/b" when "a" is a file), or a folder where the
// object should be: in every case there is no object at that key.
const ABSENT = new Set(["ENOENT", "ENOTDIR", "EISDIR"]);

// Filesystems that cannot make hard links (some FUSE and network mounts, FAT).
const NO_HARD_LINKS = new Set(["EPERM", "ENOTSUP", "EOPNOTSUPP", "ENOSYS", "EXDEV"]);

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch (err) {
    if (ABSENT.has(errorCode(err) ?? "")) return false;
    throw err;
  }
}

const CHUNK_SIZE = 64 * 1024;

/**
 * A web stream reading the file as the client consumes it, closing it when done, failed or cancelled.
 * Not Readable.toWeb(createReadStream()): on Node 20 cancelling that stream once it has started
 * flowing (a client aborting a download) throws "Controller is already closed" as an uncaught
 * exception, which ends the process.
 */
function fileStream(handle: FileHandle): ReadableStream<Uint8Array> {
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await handle.close();
  };
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const buffer = new Uint8Array(CHUNK_SIZE);
          const { bytesRead } = await handle.read(buffer, 0, CHUNK_SIZE, null);
          // Cancelled while reading: the chunk has nowhere to go.
          if (closed) return;
          if (bytesRead === 0) {
            await close();
            controller.close();
            return;
          }
          controller.enqueue(buffer.subarray(0, bytesRead));
        } catch (err) {
          await close().catch(() => undefined);
          controller.error(err);
        }
      },
      // FileHandle.close waits for a read in progress, so this never closes under a pending read.
      cancel: close,
    },
    // One chunk read ahead at most: the client's pace decides how much of the file is in memory.
    { highWaterMark: 1 },
  );
}

/**
 * Files under `${root}/<key>`. A reader sees a whole file or none: bytes go to a temporary file,
 * are flushed, then published under the key in one step.
 */
export function createLocalStorage(root: string): ObjectStorage {
  const base = path.resolve(root);

  function pathOf(key: string): string {
    assertSafeKey(key);
    const file = path.resolve(base, ...key.split("/"));
    // assertSafeKey already refuses every way out; this holds even if it were loosened one day.
    if (!file.startsWith(base + path.sep)) throw new UnsafeKeyError(key, "resolves outside the storage root");
    return file;
  }

  /**
   * A hard link publishes atomically and fails if the key exists (no overwrite, like Supabase's
   * `upsert: false`); a rename would silently replace the object.
   */
  async function publish(key: string, temp: string, file: string): Promise<void> {
    try {
      await link(temp, file);
    } catch (err) {
      if (errorCode(err) === "EEXIST") throw new ObjectExistsError(key);
      if (!NO_HARD_LINKS.has(errorCode(err) ?? "")) throw err;
      // Check then rename: the gap only matters for two writers of one key, and generated keys
      // are unique.
      if (await exists(file)) throw new ObjectExistsError(key);
      await rename(temp, file);
    }
  }

  return {
    name: "local",

    // The type is not stored: the material row holds it.
    async put(key, bytes, _contentType) {
      const file = pathOf(key);
      const dir = path.dirname(file);
      await mkdir(dir, { recursive: true });
      // In the same folder, so the link or rename stays on one filesystem. Keys never start with a dot.
      const temp = path.join(dir, `.${path.basename(file)}.${randomUUID()}.tmp`);
      try {
        const handle = await open(temp, "wx");
        try {
          await handle.writeFile(bytes);
          // Flushed before it is published: after a crash, an object is whole or absent.
          await handle.sync();
        } finally {
          await handle.close();
        }
        await publish(key, temp, file);
      } finally {
        await rm(temp, { force: true });
      }
    },

    async getBytes(key) {
      const file = pathOf(key);
      try {
        const buffer = await readFile(file);
        return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
      } catch (err) {
        if (ABSENT.has(errorCode(err) ?? "")) return null;
        throw err;
      }
    },

    async getStream(key) {
      const file = pathOf(key);
      let handle: FileHandle;
      try {
        // Opened here so a missing object answers null now, not as an error mid-download.
        handle = await open(file, "r");
      } catch (err) {
        if (ABSENT.has(errorCode(err) ?? "")) return null;
        throw err;
      }
      try {
        // Opening a folder succeeds on Linux; reading it would fail later.
        if (!(await handle.stat()).isFile()) {
          await handle.close();
          return null;
        }
      } catch (err) {
        await handle.close();
        throw err;
      }
      return fileStream(handle);
    },

    async delete(key) {
      const file = pathOf(key);
      try {
        await unlink(file);
      } catch (err) {
        if (ABSENT.has(errorCode(err) ?? "")) return;
        throw err;
      }
    },
  };
}
