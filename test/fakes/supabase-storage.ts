import { createHash, randomBytes, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A fake of the Supabase Storage HTTP API, as far as supabase-js 2.119 (storage-js) uses it for
 * BacMR: upload (POST /storage/v1/object/{bucket}/{path}, raw body, x-upsert), download
 * (GET /storage/v1/object/{bucket}/{path}, also under /object/authenticated/) and remove
 * (DELETE /storage/v1/object/{bucket} with {"prefixes": [...]}).
 *
 * Errors look like supabase/storage's: HTTP 400 (500 for server faults) with the real status in
 * the body, `{statusCode: "404", code: "NoSuchKey", error: "NoSuchKey", message: "Object not found"}`,
 * so storage-js raises the same StorageApiError as in production. The API gateway in front answers
 * an unknown `apikey` with 401. Only the service-role key is accepted as Authorization: the fake
 * has no row-level security to apply to other tokens.
 */

export interface FakeObject {
  bytes: Buffer;
  contentType: string;
  cacheControl: string | undefined;
  id: string;
  createdAt: string;
}

export interface FakeSupabaseStorage {
  /** The project URL (SUPABASE_URL); the API is under `${url}/storage/v1`. */
  url: string;
  serviceRoleKey: string;
  /** Passes the gateway but is refused by Storage: a client built with it must fail loudly. */
  anonKey: string;
  /** Objects by bucket, then by key. Buckets are created by `start`, never by the API. */
  buckets: Map<string, Map<string, FakeObject>>;
  /** Every request, in order: "POST /object/materials/u/c/x.pdf". */
  requests: string[];
  /** The next `count` requests are read but never answered (until close), to exercise timeouts. */
  stall(count?: number): void;
  close(): Promise<void>;
}

class StorageHttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const noSuchKey = () => new StorageHttpError(404, "NoSuchKey", "Object not found");
const noSuchBucket = () => new StorageHttpError(404, "NoSuchBucket", "Bucket not found");

// supabase/storage's isValidKey: the characters it accepts in an object name.
const VALID_KEY = /^(\w|\/|!|-|\.|\*|'|\(|\)| |&|\$|@|=|;|:|\+|,|\?)*$/;

// Read whole before answering, errors included: answering while a client still sends a large
// body makes it see a reset connection instead of the error.
async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function start({
  buckets = ["materials"],
}: {
  buckets?: string[];
} = {}): Promise<FakeSupabaseStorage> {
  const serviceRoleKey = `service-role-${randomBytes(16).toString("hex")}`;
  const anonKey = `anon-${randomBytes(16).toString("hex")}`;
  const store = new Map(buckets.map((name) => [name, new Map<string, FakeObject>()]));
  const requests: string[] = [];
  let stalls = 0;

  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  function send(res: ServerResponse, status: number, body: unknown): void {
    const json = JSON.stringify(body);
    res.writeHead(status, {
      "content-type": "application/json; charset=utf-8",
      "content-length": Buffer.byteLength(json),
    });
    res.end(json);
  }

  function sendError(res: ServerResponse, err: StorageHttpError): void {
    // supabase/storage's error handler: the HTTP status is 400 unless the error is a 500.
    send(res, err.statusCode === 500 ? 500 : 400, {
      statusCode: String(err.statusCode),
      code: err.code,
      error: err.code,
      message: err.message,
    });
  }

  function bucketOf(name: string): Map<string, FakeObject> {
    const bucket = store.get(name);
    if (!bucket) throw noSuchBucket();
    return bucket;
  }

  /** "/object/materials/a/b.pdf" → ["materials", "a/b.pdf"]. */
  function splitObjectPath(rest: string): [string, string] {
    const [bucket = "", ...parts] = rest.split("/");
    const key = decodeURIComponent(parts.join("/"));
    if (!key || !VALID_KEY.test(key)) throw new StorageHttpError(400, "InvalidKey", `Invalid key: ${key}`);
    return [bucket, key];
  }

  function objectRow(bucket: string, key: string, object: FakeObject) {
    return {
      name: key,
      bucket_id: bucket,
      owner: "",
      owner_id: "",
      version: object.id,
      id: object.id,
      updated_at: object.createdAt,
      created_at: object.createdAt,
      last_accessed_at: object.createdAt,
      metadata: {
        eTag: `"${createHash("md5").update(object.bytes).digest("hex")}"`,
        size: object.bytes.length,
        mimetype: object.contentType,
        cacheControl: object.cacheControl ?? "no-cache",
        lastModified: object.createdAt,
        contentLength: object.bytes.length,
        httpStatusCode: 200,
      },
      user_metadata: {},
    };
  }

  function upload(req: IncomingMessage, res: ServerResponse, rest: string, bytes: Buffer): void {
    const [bucketName, key] = splitObjectPath(rest);
    const bucket = bucketOf(bucketName);
    const contentType = req.headers["content-type"] ?? "application/octet-stream";
    // storage-js sends a Blob or FormData as multipart; BacMR sends raw bytes, and the fake says so
    // if that ever changes instead of storing a multipart envelope as the file.
    if (contentType.startsWith("multipart/form-data")) {
      throw new StorageHttpError(400, "InvalidRequest", "The fake accepts raw uploads only");
    }
    if (bucket.has(key) && req.headers["x-upsert"] !== "true") {
      throw new StorageHttpError(409, "KeyAlreadyExists", "The resource already exists");
    }
    const cacheControl = req.headers["cache-control"];
    const object = {
      bytes,
      contentType,
      cacheControl,
      id: randomUUID(),
      createdAt: new Date().toISOString(),
    };
    bucket.set(key, object);
    send(res, 200, { Key: `${bucketName}/${key}`, Id: object.id });
  }

  function download(res: ServerResponse, rest: string): void {
    const [bucketName, key] = splitObjectPath(rest.replace(/^authenticated\//, ""));
    const object = bucketOf(bucketName).get(key);
    if (!object) throw noSuchKey();
    res.writeHead(200, {
      "content-type": object.contentType,
      "content-length": object.bytes.length,
      "cache-control": object.cacheControl ?? "no-cache",
      etag: `"${createHash("md5").update(object.bytes).digest("hex")}"`,
      "last-modified": new Date(object.createdAt).toUTCString(),
    });
    res.end(object.bytes);
  }

  function remove(res: ServerResponse, bucketName: string, body: Buffer): void {
    const bucket = bucketOf(bucketName);
    let prefixes: unknown;
    try {
      ({ prefixes } = JSON.parse(body.toString("utf8")) as { prefixes?: unknown });
    } catch {
      throw new StorageHttpError(400, "InvalidRequest", "Body is not valid JSON");
    }
    if (!Array.isArray(prefixes) || prefixes.length === 0 || !prefixes.every((p) => typeof p === "string")) {
      throw new StorageHttpError(400, "InvalidRequest", "body/prefixes must be a non-empty array of strings");
    }
    // Storage deletes what exists and lists it; a missing name is silently skipped.
    const deleted = [];
    for (const key of prefixes as string[]) {
      const object = bucket.get(key);
      if (!object) continue;
      bucket.delete(key);
      deleted.push(objectRow(bucketName, key, object));
    }
    send(res, 200, deleted);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? "/", url).pathname;
    requests.push(`${req.method} ${path.replace(/^\/storage\/v1/, "")}`);
    if (stalls > 0) {
      stalls--;
      req.resume();
      return;
    }
    const body = await readBody(req);
    const match = /^\/storage\/v1\/object\/(.+)$/.exec(path);
    if (!match?.[1]) {
      // What Storage's router (fastify) says to an unknown route.
      send(res, 404, {
        message: `Route ${req.method}:${path} not found`,
        error: "Not Found",
        statusCode: 404,
      });
      return;
    }
    // The API gateway: no known key, no request.
    const apikey = req.headers.apikey;
    if (apikey !== serviceRoleKey && apikey !== anonKey) {
      send(res, 401, {
        message: "Invalid API key",
        hint: "Double check your Supabase `anon` or `service_role` API key.",
      });
      return;
    }
    const rest = match[1];
    try {
      if (req.headers.authorization !== `Bearer ${serviceRoleKey}`) {
        throw new StorageHttpError(403, "AccessDenied", "The fake accepts only the service-role key");
      }
      if (req.method === "POST") upload(req, res, rest, body);
      else if (req.method === "GET") download(res, rest);
      else if (req.method === "DELETE" && !rest.includes("/")) remove(res, rest, body);
      else
        throw new StorageHttpError(404, "NotSupported", `${req.method} ${path} is not handled by the fake`);
    } catch (err) {
      if (err instanceof StorageHttpError) sendError(res, err);
      else sendError(res, new StorageHttpError(500, "InternalError", String(err)));
    }
  }

  server.on("request", (req, res) => void handle(req, res));

  return {
    url,
    serviceRoleKey,
    anonKey,
    buckets: store,
    requests,
    stall: (count = 1) => {
      stalls += count;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
