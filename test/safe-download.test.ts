import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { DownloadError, type DownloadOptions, downloadPdf, parseHostList } from "@/lib/net/safe-download";

/** A test server on a real socket that records what reached it. */
interface TestServer {
  url: (path: string) => string;
  port: number;
  /** Paths requested, in order. */
  paths: string[];
  userAgents: (string | undefined)[];
  /** TCP connections accepted: 0 proves the client never got through, not just that it gave up. */
  connections: () => number;
}

const servers: http.Server[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

async function startServer(handler: http.RequestListener, host = "127.0.0.1"): Promise<TestServer> {
  const paths: string[] = [];
  const userAgents: (string | undefined)[] = [];
  let connections = 0;
  const server = http.createServer((req, res) => {
    paths.push(req.url ?? "");
    userAgents.push(req.headers["user-agent"]);
    handler(req, res);
  });
  server.on("connection", () => {
    connections++;
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, host, () => resolve());
  });
  servers.push(server);
  const { port } = server.address() as AddressInfo;
  const origin = host.includes(":") ? `http://[${host}]:${port}` : `http://${host}:${port}`;
  return { url: (path) => `${origin}${path}`, port, paths, userAgents, connections: () => connections };
}

/** Bigger than the 1 KB header window, so the early PDF check runs on the streamed path too. */
const PDF = Buffer.concat([
  Buffer.from("%PDF-1.7\n%âãÏÓ\n"),
  Buffer.alloc(4000, 0x41),
  Buffer.from("\n%%EOF\n"),
]);

function sendPdf(res: http.ServerResponse, body: Buffer = PDF): void {
  res.writeHead(200, { "Content-Type": "application/pdf", "Content-Length": body.length });
  res.end(body);
}

function redirect(res: http.ServerResponse, location: string, status = 302): void {
  res.writeHead(status, { Location: location });
  res.end();
}

const base: DownloadOptions = { allowedHosts: ["127.0.0.1"], maxBytes: 1024 * 1024, timeoutMs: 2000 };

/** The DownloadError a download rejects with; fails the test if it resolves. */
async function failure(promise: Promise<unknown>): Promise<DownloadError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DownloadError);
  return err as DownloadError;
}

/** A port nothing listens on: bound then released. */
async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe("downloadPdf: success", () => {
  it("downloads a PDF from an allowlisted host and sends a User-Agent", async () => {
    const server = await startServer((_req, res) => sendPdf(res));
    const result = await downloadPdf(server.url("/livres/maths.pdf"), { ...base, userAgent: "BacMR-test/1" });
    expect(Buffer.from(result.bytes).equals(PDF)).toBe(true);
    expect(result).toStrictEqual({
      bytes: expect.any(Uint8Array),
      finalUrl: server.url("/livres/maths.pdf"),
      contentType: "application/pdf",
    });
    expect(server.userAgents).toStrictEqual(["BacMR-test/1"]);
  });

  it("sends a default User-Agent", async () => {
    const server = await startServer((_req, res) => sendPdf(res));
    await downloadPdf(server.url("/a.pdf"), base);
    expect(server.userAgents[0]).toMatch(/^BacMR/);
  });

  it("accepts a small PDF with no Content-Length and leading junk before %PDF-", async () => {
    const body = Buffer.concat([Buffer.from("\ufeff\r\n"), Buffer.from("%PDF-1.4\n1 0 obj\n%%EOF\n")]);
    const server = await startServer((_req, res) => {
      res.writeHead(200, { "Content-Type": "application/octet-stream" });
      res.end(body);
    });
    const result = await downloadPdf(server.url("/a.pdf"), base);
    expect(Buffer.from(result.bytes).equals(body)).toBe(true);
    expect(result.contentType).toBe("application/octet-stream");
  });

  it("matches allowlisted hosts case-insensitively", async () => {
    const server = await startServer((_req, res) => sendPdf(res));
    const result = await downloadPdf(server.url("/a.pdf"), { ...base, allowedHosts: [" 127.0.0.1 "] });
    expect(result.bytes.byteLength).toBe(PDF.length);
    // The URL parser lower-cases hostnames; an upper-case allowlist entry must still match.
    const named = await downloadPdf(`http://LOCALHOST:${server.port}/a.pdf`, {
      ...base,
      allowedHosts: ["LocalHost"],
    });
    expect(named.bytes.byteLength).toBe(PDF.length);
  });
});

describe("downloadPdf: hosts and addresses", () => {
  it("refuses a first host that is not allowlisted without connecting to it", async () => {
    const server = await startServer((_req, res) => sendPdf(res));
    const err = await failure(downloadPdf(`http://localhost:${server.port}/a.pdf`, base));
    expect(err).toMatchObject({ code: "HOST_NOT_ALLOWED", permanent: true, status: null });
    expect(err.message).toBe(
      `Download refused: host localhost is not on the allowed list KOUTOUBI_PDF_HOSTS (http://localhost:${server.port}/a.pdf)`,
    );
    expect(server.connections()).toBe(0);
  });

  it("follows redirects within the allowlisted host, relative Locations included", async () => {
    const server = await startServer((req, res) => {
      if (req.url === "/r1") redirect(res, "/r2", 301);
      else if (req.url === "/r2") redirect(res, "r3", 307);
      else if (req.url === "/r3") redirect(res, server.url("/doc.pdf?v=2"), 303);
      else sendPdf(res);
    });
    const result = await downloadPdf(server.url("/r1"), base);
    expect(result.finalUrl).toBe(server.url("/doc.pdf?v=2"));
    expect(server.paths).toStrictEqual(["/r1", "/r2", "/r3", "/doc.pdf?v=2"]);
  });

  it("lets an allowlisted redirect target resolve to loopback", async () => {
    const target = await startServer((_req, res) => sendPdf(res));
    const source = await startServer((_req, res) => redirect(res, `http://localhost:${target.port}/x.pdf`));
    const result = await downloadPdf(source.url("/start"), {
      ...base,
      allowedHosts: ["127.0.0.1", "localhost"],
    });
    expect(result.finalUrl).toBe(`http://localhost:${target.port}/x.pdf`);
    expect(target.paths).toStrictEqual(["/x.pdf"]);
  });

  it.each([
    ["a name resolving to loopback", (port: number) => `http://localhost:${port}/secret.pdf`],
    ["an IPv4-mapped IPv6 loopback", (port: number) => `http://[::ffff:127.0.0.1]:${port}/secret.pdf`],
    ["the unspecified address", (port: number) => `http://0.0.0.0:${port}/secret.pdf`],
    ["cloud metadata (link-local)", (port: number) => `http://169.254.169.254:${port}/latest/meta-data/`],
  ])("refuses a redirect to %s without connecting", async (_name, target) => {
    const victim = await startServer((_req, res) => sendPdf(res));
    const location = target(victim.port);
    const source = await startServer((_req, res) => redirect(res, location));
    const err = await failure(downloadPdf(source.url("/start"), base));
    expect(err).toMatchObject({ code: "BLOCKED_ADDRESS", permanent: true, status: null });
    expect(err.message).toBe(
      `Download refused: redirect to a private or loopback address (${new URL(location).href})`,
    );
    expect(victim.connections()).toBe(0);
    expect(victim.paths).toStrictEqual([]);
  });

  it("refuses a redirect to a private address before any connect attempt", async () => {
    // 10.255.255.1 is routed nowhere here: a connect would hang until the timeout.
    const source = await startServer((_req, res) => redirect(res, "http://10.255.255.1/x.pdf"));
    const started = performance.now();
    const err = await failure(downloadPdf(source.url("/start"), { ...base, timeoutMs: 3000 }));
    expect(err).toMatchObject({ code: "BLOCKED_ADDRESS", permanent: true });
    expect(err.message).toBe(
      "Download refused: redirect to a private or loopback address (http://10.255.255.1/x.pdf)",
    );
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it("refuses a redirect to IPv6 loopback, which is reachable when allowlisted", async (ctx) => {
    let victim: TestServer;
    try {
      victim = await startServer((_req, res) => sendPdf(res), "::1");
    } catch {
      ctx.skip("IPv6 loopback is not available on this machine");
      return;
    }
    const source = await startServer((_req, res) => redirect(res, victim.url("/secret.pdf")));
    const err = await failure(downloadPdf(source.url("/start"), base));
    expect(err.code).toBe("BLOCKED_ADDRESS");
    expect(victim.connections()).toBe(0);
    // Control: the same hop succeeds once ::1 is allowlisted, so the refusal above was the filter.
    const ok = await downloadPdf(source.url("/start"), { ...base, allowedHosts: ["127.0.0.1", "[::1]"] });
    expect(ok.finalUrl).toBe(victim.url("/secret.pdf"));
    expect(victim.paths).toStrictEqual(["/secret.pdf"]);
  });

  it("stops after maxRedirects", async () => {
    const server = await startServer((_req, res) => redirect(res, "/loop"));
    const err = await failure(downloadPdf(server.url("/loop"), { ...base, maxRedirects: 2 }));
    expect(err).toMatchObject({ code: "TOO_MANY_REDIRECTS", permanent: true });
    expect(err.message).toBe(`Download failed: more than 2 redirects starting from ${server.url("/loop")}`);
    expect(server.paths).toHaveLength(3);
  });

  it.each([
    "ftp://127.0.0.1/x.pdf",
    "file:///etc/passwd",
    "javascript:alert(1)",
    "http://user:secret@127.0.0.1/x.pdf",
  ])("refuses a redirect to %s", async (location) => {
    const server = await startServer((_req, res) => redirect(res, location));
    const err = await failure(downloadPdf(server.url("/start"), base));
    expect(err).toMatchObject({ code: "BAD_URL", permanent: true });
    expect(err.message).toMatch(/^Download refused: a redirect target /);
    expect(err.message).not.toContain("secret");
    expect(server.paths).toStrictEqual(["/start"]);
  });

  it("fails on a redirect without a Location", async () => {
    const server = await startServer((_req, res) => {
      res.writeHead(302);
      res.end();
    });
    const err = await failure(downloadPdf(server.url("/start"), base));
    expect(err).toMatchObject({ code: "HTTP_ERROR", permanent: true, status: 302 });
  });
});

describe("downloadPdf: bad URLs", () => {
  it.each([
    ["http://user:secret@127.0.0.1/x.pdf", "contains credentials (http://127.0.0.1/x.pdf)"],
    ["javascript:alert(1)", "is not an http(s) URL (javascript:alert(1))"],
    ["ftp://127.0.0.1/x.pdf", "is not an http(s) URL (ftp://127.0.0.1/x.pdf)"],
    ["file:///etc/passwd", "is not an http(s) URL (file:///etc/passwd)"],
    ["not a url", "is not a valid URL (not a url)"],
  ])("refuses %s", async (url, reason) => {
    const err = await failure(downloadPdf(url, base));
    expect(err).toMatchObject({ code: "BAD_URL", permanent: true, status: null });
    expect(err.message).toBe(`Download refused: the address ${reason}`);
  });
});

describe("downloadPdf: HTTP status", () => {
  it.each([
    [404, true],
    [403, true],
    [408, false],
    [429, false],
    [500, false],
    [503, false],
  ])("fails on %i (permanent: %s)", async (status, permanent) => {
    const server = await startServer((_req, res) => {
      res.writeHead(status, { "Content-Type": "text/html" });
      res.end("<h1>nope</h1>");
    });
    const err = await failure(downloadPdf(server.url("/x.pdf"), base));
    expect(err).toMatchObject({ code: "HTTP_ERROR", permanent, status });
    expect(err.message).toBe(
      `Download failed: ${server.url("/x.pdf")} answered ${status} ${http.STATUS_CODES[status]}`,
    );
  });

  it("reports a refused connection as a transient network error", async () => {
    const port = await closedPort();
    const err = await failure(downloadPdf(`http://127.0.0.1:${port}/x.pdf`, base));
    expect(err).toMatchObject({ code: "NETWORK", permanent: false, status: null });
    expect(err.message).toBe(
      `Download failed: could not reach http://127.0.0.1:${port}/x.pdf (ECONNREFUSED)`,
    );
  });
});

describe("downloadPdf: size and content", () => {
  it("refuses by Content-Length before reading the body", async () => {
    let closed!: () => void;
    const serverSawClose = new Promise<void>((resolve) => {
      closed = resolve;
    });
    const server = await startServer((_req, res) => {
      res.on("close", closed);
      // Declares 10 MB, sends a little and stalls: reading the body would end in TIMEOUT instead.
      res.writeHead(200, { "Content-Type": "application/pdf", "Content-Length": 10 * 1024 * 1024 });
      res.write(PDF.subarray(0, 100));
    });
    const err = await failure(downloadPdf(server.url("/big.pdf"), { ...base, maxBytes: 1024 * 1024 }));
    expect(err).toMatchObject({ code: "TOO_LARGE", permanent: true });
    expect(err.message).toBe(`Download failed: the file is larger than 1 MB (${server.url("/big.pdf")})`);
    await serverSawClose;
  });

  it("stops reading and drops the connection when a chunked body passes the limit", async () => {
    let sent = 0;
    let closed!: () => void;
    const serverSawClose = new Promise<void>((resolve) => {
      closed = resolve;
    });
    const server = await startServer((_req, res) => {
      res.writeHead(200, { "Content-Type": "application/pdf" });
      res.write(PDF);
      sent += PDF.length;
      // Endless body: only the client closing the connection stops it.
      const timer = setInterval(() => {
        res.write(Buffer.alloc(16 * 1024, 0x42));
        sent += 16 * 1024;
      }, 1);
      res.on("close", () => {
        clearInterval(timer);
        closed();
      });
    });
    const err = await failure(downloadPdf(server.url("/endless.pdf"), { ...base, maxBytes: 100 * 1024 }));
    expect(err).toMatchObject({ code: "TOO_LARGE", permanent: true });
    expect(err.message).toBe(
      `Download failed: the file is larger than 100 KB (${server.url("/endless.pdf")})`,
    );
    await serverSawClose;
    expect(sent).toBeLessThan(10 * 1024 * 1024);
  });

  it("refuses an HTML page served with 200", async () => {
    const server = await startServer((_req, res) => {
      res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
      res.end("<!DOCTYPE html><html><body>Session expirée</body></html>");
    });
    const err = await failure(downloadPdf(server.url("/x.pdf"), base));
    expect(err).toMatchObject({ code: "NOT_PDF", permanent: true, status: null });
    expect(err.message).toBe(
      `Download failed: the server did not send a PDF (it looks like an HTML page) (${server.url("/x.pdf")})`,
    );
  });

  it("drops an endless non-PDF body after its first kilobyte", async () => {
    const server = await startServer((_req, res) => {
      res.writeHead(200, { "Content-Type": "application/octet-stream" });
      const timer = setInterval(() => res.write("<div>padding</div>".repeat(100)), 1);
      res.on("close", () => clearInterval(timer));
    });
    const err = await failure(downloadPdf(server.url("/x.pdf"), base));
    expect(err.code).toBe("NOT_PDF");
    expect(err.message).toContain("(it looks like an HTML page)");
  });

  it.each([
    ["an empty body", Buffer.alloc(0), "(the response was empty)"],
    ["%PDF- after the first kilobyte", Buffer.concat([Buffer.alloc(1100, 0x20), PDF]), ""],
    [
      "an XML error document",
      Buffer.from('<?xml version="1.0"?><Error>AccessDenied</Error>'),
      "(it looks like an XML",
    ],
  ])("refuses %s", async (_name, body, hint) => {
    const server = await startServer((_req, res) => {
      res.writeHead(200);
      res.end(body);
    });
    const err = await failure(downloadPdf(server.url("/x.pdf"), base));
    expect(err.code).toBe("NOT_PDF");
    expect(err.message).toContain(hint);
  });
});

describe("downloadPdf: time and cancellation", () => {
  it("times out when the server never answers", async () => {
    const server = await startServer(() => {});
    const started = performance.now();
    const err = await failure(downloadPdf(server.url("/slow.pdf"), { ...base, timeoutMs: 300 }));
    const elapsed = performance.now() - started;
    expect(err).toMatchObject({ code: "TIMEOUT", permanent: false, status: null });
    expect(err.message).toBe(`Download timed out after 0.3 s (${server.url("/slow.pdf")})`);
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(1000);
  });

  it("times out when the body stalls after the headers", async () => {
    const server = await startServer((_req, res) => {
      res.writeHead(200, { "Content-Type": "application/pdf" });
      res.write(PDF.subarray(0, 10));
    });
    const err = await failure(downloadPdf(server.url("/stall.pdf"), { ...base, timeoutMs: 300 }));
    expect(err.code).toBe("TIMEOUT");
  });

  it("counts redirects against the same deadline", async () => {
    const server = await startServer((req, res) => {
      if (req.url === "/start") setTimeout(() => redirect(res, "/next"), 200);
      // /next never answers: only the overall deadline can end this.
    });
    const started = performance.now();
    const err = await failure(downloadPdf(server.url("/start"), { ...base, timeoutMs: 300 }));
    expect(err.code).toBe("TIMEOUT");
    expect(performance.now() - started).toBeLessThan(600);
    expect(server.paths).toStrictEqual(["/start", "/next"]);
  });

  it("stops when the caller aborts", async () => {
    const server = await startServer(() => {});
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const err = await failure(downloadPdf(server.url("/x.pdf"), { ...base, signal: controller.signal }));
    expect(err).toMatchObject({ code: "ABORTED", permanent: false });
    expect(err.message).toBe(`Download cancelled (${server.url("/x.pdf")})`);
  });

  it("does not connect when the signal is already aborted", async () => {
    const server = await startServer((_req, res) => sendPdf(res));
    const err = await failure(downloadPdf(server.url("/x.pdf"), { ...base, signal: AbortSignal.abort() }));
    expect(err.code).toBe("ABORTED");
    expect(server.connections()).toBe(0);
  });
});

describe("parseHostList", () => {
  it.each([
    [
      "docs.bsimr.com, bsimr.s3.us-east-2.amazonaws.com",
      ["docs.bsimr.com", "bsimr.s3.us-east-2.amazonaws.com"],
    ],
    [" Docs.BSIMR.com ,,docs.bsimr.com.\n127.0.0.1 ", ["docs.bsimr.com", "127.0.0.1"]],
    ["[::1], ::1", ["::1"]],
    ["", []],
    [" , ", []],
  ])("parses %j", (value, expected) => {
    expect(parseHostList(value)).toStrictEqual(expected);
  });
});

describe("DownloadError", () => {
  it("derives permanence from the code, and from the status for HTTP errors", () => {
    expect(new DownloadError("NOT_PDF", "x").permanent).toBe(true);
    expect(new DownloadError("TIMEOUT", "x").permanent).toBe(false);
    expect(new DownloadError("HTTP_ERROR", "x", { status: 410 }).permanent).toBe(true);
    expect(new DownloadError("HTTP_ERROR", "x", { status: 502 })).toMatchObject({
      permanent: false,
      status: 502,
    });
  });
});
