import { type ChildProcess, spawn } from "node:child_process";
import { ROOT } from "./app";

export interface SocketDb {
  url: string;
  child: ChildProcess;
  /** SIGTERM: the socket closes and PGlite flushes; resolves when the process has exited. */
  stop(): Promise<void>;
}

/** Starts load/lib/pglite-server.ts (one connection) on 127.0.0.1:port over `dir` and waits for it to listen. */
export async function startSocketDb(dir: string, port: number): Promise<SocketDb> {
  const child = spawn(process.execPath, ["--import", "tsx", "load/lib/pglite-server.ts", dir, String(port)], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    env: process.env,
  });
  let output = "";
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`pglite-socket did not start: ${output}`)), 60_000);
    child.stderr?.on("data", (c: Buffer) => {
      output += c.toString();
    });
    child.stdout?.on("data", (c: Buffer) => {
      output += c.toString();
      const m = /ready (\S+)/.exec(output);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`pglite-socket exited (${code}): ${output}`));
    });
  });
  return {
    url,
    child,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const done = new Promise<void>((r) => child.once("exit", () => r()));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
      await done;
      clearTimeout(timer);
    },
  };
}
