import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

// What every fake OpenAI-compatible endpoint shares: OpenAI's JSON and error bodies, reading a
// JSON POST (404 for another URL, 400 for a body that is not JSON, as OpenAI answers), and
// listening on 127.0.0.1.

export function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

export function openaiError(message: string, type: string, code: string | null, param: string | null = null) {
  return { error: { message, type, param, code } };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  for await (const part of req) parts.push(part as Buffer);
  return Buffer.concat(parts).toString("utf8");
}

/** The JSON body of a POST to `path`, or null once the refusal OpenAI would give has been sent. */
export async function readJsonPost<T>(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
): Promise<T | null> {
  const raw = await readBody(req);
  if (req.method !== "POST" || req.url !== path) {
    send(
      res,
      404,
      openaiError(`Unknown request URL: ${req.method} ${req.url}`, "invalid_request_error", "unknown_url"),
    );
    return null;
  }
  try {
    return JSON.parse(raw) as T;
  } catch {
    send(
      res,
      400,
      openaiError("We could not parse the JSON body of your request.", "invalid_request_error", null),
    );
    return null;
  }
}

/** Listens on a random port of 127.0.0.1; the base URL ends in /v1 like OpenAI's. */
export async function listenLocally(
  server: Server,
): Promise<{ baseUrl: string; close: () => Promise<void> }> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
