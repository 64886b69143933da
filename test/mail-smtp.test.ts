import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as resetRoute from "@/app/api/auth/reset-password/route";
import * as signupRoute from "@/app/api/auth/signup/route";
import { resetEnvCache } from "@/lib/config/env";
import { listOutbox } from "@/lib/mail";
import { useTestDb } from "./helpers/db";
import { call } from "./helpers/http";
import { uniqueEmail } from "./helpers/users";

// A real SMTP conversation with a local server (smtp-server, nodemailer's own test peer).
const received: { to: string[]; data: string }[] = [];
const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ["STARTTLS"],
  onData(stream, session, done) {
    let data = "";
    stream.on("data", (c: Buffer) => {
      data += c.toString();
    });
    stream.on("end", () => {
      received.push({ to: session.envelope.rcptTo.map((r) => r.address), data });
      done();
    });
  },
});

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.server.address() as AddressInfo;
  process.env.SMTP_URL = `smtp://127.0.0.1:${port}`;
  resetEnvCache();
});
afterAll(async () => {
  delete process.env.SMTP_URL;
  resetEnvCache();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const { db } = useTestDb();

async function until<T>(f: () => Promise<T | undefined>, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("reset mail over SMTP", () => {
  it("delivers the link and keeps no usable copy in the outbox", async () => {
    const email = uniqueEmail();
    await call(signupRoute.POST, {
      path: "/api/auth/signup",
      method: "POST",
      body: { email, password: "password-123" },
    });
    const res = await call(resetRoute.POST, {
      path: "/api/auth/reset-password",
      method: "POST",
      body: { email },
    });
    expect(res.status).toBe(200);
    const mail = await until(async () => received.find((m) => m.to.includes(email)));
    // The text part is quoted-printable (accents, long lines): undo soft breaks and =XX escapes.
    const text = mail.data
      .replace(/=\r\n/g, "")
      .replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16)));
    expect(text).toMatch(/\/reset-password\?token=[\w-]{20,}/);
    const row = await until(async () => {
      const { messages } = await listOutbox(db(), { to: email, limit: 1, offset: 0 });
      return messages[0]?.sentAt ? messages[0] : undefined;
    });
    expect(row.error).toBeNull();
    expect(row.body).not.toMatch(/token=/);
  });
});
