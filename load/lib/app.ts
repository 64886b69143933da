// The production server as a child process, for the load run and the fault suite: a build that
// is reused while it is newer than the sources, migrations in their own process (as `npm start`
// does), then `node server.mjs` with its own environment. Loopback only.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";

export const ROOT = path.resolve(import.meta.dirname, "../..");

export const ADMIN_API_KEY = "load-admin-api-key-0123456789abcdef";
export const JWT_SECRET = "load-jwt-secret-that-is-at-least-32-characters-long";

/** Newest modification time (ms) of the files a build depends on. */
function newestSource(): number {
  let newest = 0;
  const visit = (p: string) => {
    const info = statSync(p, { throwIfNoEntry: false });
    if (!info) return;
    if (info.isDirectory()) {
      for (const name of readdirSync(p)) if (name !== "node_modules") visit(path.join(p, name));
    } else newest = Math.max(newest, info.mtimeMs);
  };
  for (const p of ["app", "lib", "components", "db", "proxy.ts", "instrumentation.ts", "next.config.ts"]) {
    visit(path.join(ROOT, p));
  }
  visit(path.join(ROOT, "package-lock.json"));
  return newest;
}

/** Builds unless .next holds a build newer than every source file. Returns what it did. */
export function ensureBuild(log: (line: string) => void = console.info): "reused" | "built" {
  const buildId = path.join(ROOT, ".next", "BUILD_ID");
  if (existsSync(buildId) && statSync(buildId).mtimeMs > newestSource()) return "reused";
  log("[load] building the app (no fresh .next)…");
  const res = spawnSync("npx", ["next", "build"], {
    cwd: ROOT,
    stdio: ["ignore", "inherit", "inherit"],
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
  });
  if (res.status !== 0) throw new Error(`next build failed (exit ${res.status})`);
  return "built";
}

/** The environment every app started here shares; `overrides` wins. */
export function appEnv(overrides: Record<string, string>): NodeJS.ProcessEnv {
  const base: Record<string, string | undefined> = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    LANG: "C.UTF-8",
  };
  return {
    ...base,
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
    ADMIN_API_KEY,
    JWT_SECRET,
    COOKIE_SECURE: "false",
    TRUST_PROXY: "true",
    AUTH_RATE_LIMIT_REQUESTS: "100000",
    AUTH_RATE_LIMIT_IP_REQUESTS: "100000",
    ...overrides,
  };
}

export interface RunningApp {
  url: string;
  child: ChildProcess;
  /** Everything the server printed (stdout and stderr), for diagnostics. */
  output: string[];
  /** SIGTERM (the server closes its database) and wait for the exit. */
  stop(): Promise<void>;
  /** SIGKILL: a crash, nothing flushed. */
  kill(): Promise<void>;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

/** Applies migrations (and the bootstrap admin) in a process of its own, like `npm run db:migrate`. */
export function migrate(env: NodeJS.ProcessEnv): void {
  const res = spawnSync(process.execPath, ["--import", "tsx", "db/migrate-cli.ts"], {
    cwd: ROOT,
    env,
    encoding: "utf8",
  });
  if (res.status !== 0) throw new Error(`migrations failed (exit ${res.status}): ${res.stderr}${res.stdout}`);
}

export async function waitHealthy(url: string, timeoutMs: number, child?: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child && (child.exitCode !== null || child.signalCode !== null)) {
      throw new Error(`the server exited (${child.exitCode ?? child.signalCode}) before it was healthy`);
    }
    try {
      const res = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(5_000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} not healthy after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Migrates, then starts `node server.mjs` on 127.0.0.1:port and waits for /api/health. */
export async function startApp(opts: {
  port: number;
  env: Record<string, string>;
  migrate?: boolean;
  echo?: boolean;
}): Promise<RunningApp> {
  const env = appEnv({ PORT: String(opts.port), APP_URL: `http://127.0.0.1:${opts.port}`, ...opts.env });
  if (opts.migrate !== false) migrate(env);
  const child = spawn(process.execPath, ["server.mjs"], {
    cwd: ROOT,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output: string[] = [];
  const keep = (chunk: Buffer) => {
    const text = chunk.toString();
    output.push(text);
    if (output.length > 2000) output.shift();
    if (opts.echo) process.stderr.write(text);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const url = `http://127.0.0.1:${opts.port}`;
  try {
    await waitHealthy(url, 90_000, child);
  } catch (err) {
    child.kill("SIGKILL");
    throw new Error(`${(err as Error).message}\n${output.join("")}`);
  }
  return {
    url,
    child,
    output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
      await exited(child);
      clearTimeout(timer);
    },
    async kill() {
      child.kill("SIGKILL");
      await exited(child);
    },
  };
}
