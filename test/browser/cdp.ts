/**
 * A headless Chromium driven over the DevTools protocol, for the browser tests: started with
 * `--remote-debugging-pipe` (the protocol as NUL-terminated JSON on file descriptors 3 and 4, so no
 * port is opened), a fresh profile, and the network features that would reach out switched off.
 *
 * @module
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable, Writable } from "node:stream";

/** Where Chromium is: `$CHROMIUM` when set, else Debian's and other usual paths. `undefined` when absent. */
export function findChromium(): string | undefined {
  const chosen = process.env["CHROMIUM"];
  const candidates = chosen ? [chosen] : ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];
  return candidates.find((p) => existsSync(p));
}

interface Pending {
  resolve(result: unknown): void;
  reject(error: Error): void;
}

/** A running browser and one protocol connection to it. */
export class Browser {
  private readonly child: ChildProcess;
  private readonly profile: string;
  private readonly toBrowser: Writable;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private stderr = "";
  private exited: Error | undefined;
  /** The browser's product and version as it reports them (`HeadlessChrome/156.0.8078.114`). */
  product = "";
  /** Events of the protocol (`method`, `params`, `sessionId`), for diagnostics. */
  readonly events: { method: string; params: unknown; sessionId?: string }[] = [];

  private constructor(executable: string) {
    this.profile = mkdtempSync(join(tmpdir(), "wasmhost-chromium-"));
    this.child = spawn(
      executable,
      [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        `--user-data-dir=${this.profile}`,
        "--remote-debugging-pipe",
        "about:blank",
      ],
      { stdio: ["ignore", "ignore", "pipe", "pipe", "pipe"] },
    );
    // A test process that ends without closing the browser (a timeout, an uncaught error) takes it along.
    const killOnExit = () => this.child.kill("SIGKILL");
    process.once("exit", killOnExit);
    this.child.once("exit", () => process.off("exit", killOnExit));
    this.toBrowser = this.child.stdio[3] as Writable;
    const fromBrowser = this.child.stdio[4] as Readable;
    this.child.stderr!.on("data", (d: Buffer) => {
      if (this.stderr.length < 20_000) this.stderr += d.toString();
    });
    let buffered = Buffer.alloc(0);
    fromBrowser.on("data", (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      for (let end = buffered.indexOf(0); end >= 0; end = buffered.indexOf(0)) {
        this.receive(buffered.subarray(0, end).toString("utf8"));
        buffered = buffered.subarray(end + 1);
      }
    });
    this.child.on("exit", (code, signal) => {
      this.exited = new Error(`chromium exited (${signal ?? code}) before answering; its stderr:\n${this.stderr}`);
      for (const p of this.pending.values()) p.reject(this.exited);
      this.pending.clear();
    });
    this.child.on("error", (e) => {
      this.exited = e;
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
    });
  }

  /** Starts `executable` and waits until it answers the protocol. */
  static async launch(executable: string): Promise<Browser> {
    const browser = new Browser(executable);
    browser.product = (await browser.send<{ product: string }>("Browser.getVersion")).product;
    return browser;
  }

  private receive(text: string): void {
    const message = JSON.parse(text) as {
      id?: number;
      result?: unknown;
      error?: { message: string };
      method?: string;
      params?: unknown;
      sessionId?: string;
    };
    if (message.id === undefined) {
      if (message.method !== undefined) {
        this.events.push({ method: message.method, params: message.params, ...(message.sessionId !== undefined ? { sessionId: message.sessionId } : {}) });
      }
      return;
    }
    const pending = this.pending.get(message.id);
    if (!pending) return;
    this.pending.delete(message.id);
    if (message.error) pending.reject(new Error(`DevTools protocol: ${message.error.message}`));
    else pending.resolve(message.result);
  }

  /** Sends one protocol command (to the page session `sessionId`, if given) and returns its result. */
  send<T = Record<string, unknown>>(method: string, params: object = {}, sessionId?: string): Promise<T> {
    if (this.exited) return Promise.reject(this.exited);
    const id = this.nextId++;
    const message = JSON.stringify({ id, method, params, ...(sessionId !== undefined ? { sessionId } : {}) });
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (r: unknown) => void, reject });
      this.toBrowser.write(`${message}\0`);
    });
  }

  /** Opens `url` in a new tab and returns the protocol session attached to it. */
  async open(url: string): Promise<string> {
    const { targetId } = await this.send<{ targetId: string }>("Target.createTarget", { url: "about:blank" });
    const { sessionId } = await this.send<{ sessionId: string }>("Target.attachToTarget", { targetId, flatten: true });
    await this.send("Runtime.enable", {}, sessionId);
    await this.send("Page.enable", {}, sessionId);
    await this.send("Page.navigate", { url }, sessionId);
    return sessionId;
  }

  /**
   * Evaluates `expression` in the page (awaiting a promise) and returns its value as JSON gives it.
   * @throws Error with the page's exception when the expression throws.
   */
  async evaluate<T>(sessionId: string, expression: string): Promise<T> {
    const reply = await this.send<{ result: { value?: unknown }; exceptionDetails?: { text: string; exception?: { description?: string } } }>(
      "Runtime.evaluate",
      { expression, awaitPromise: true, returnByValue: true },
      sessionId,
    );
    if (reply.exceptionDetails) {
      throw new Error(`in the page: ${reply.exceptionDetails.exception?.description ?? reply.exceptionDetails.text}`);
    }
    return reply.result.value as T;
  }

  /** Closes the browser and removes its profile. */
  async close(): Promise<void> {
    if (!this.exited) {
      const gone = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
      this.send("Browser.close").catch(() => {});
      const timer = setTimeout(() => this.child.kill("SIGKILL"), 5000);
      await gone;
      clearTimeout(timer);
    }
    rmSync(this.profile, { recursive: true, force: true });
  }
}
