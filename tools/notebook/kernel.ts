/**
 * The Deno Jupyter kernel as a child process, and a client for its shell, control and iopub channels.
 *
 * The runner launches the kernel itself (no Jupyter server in between): it writes a connection file with
 * free 127.0.0.1 ports and a random key, runs `deno jupyter --kernel --conn FILE`, and connects.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { rmSync, writeFileSync } from "node:fs";
import * as net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type JupyterMessage, MessageError, Session } from "./message.ts";
import { ZmtpSocket } from "./zmtp.ts";

/** The project's own Deno binary (`node_modules/.bin/deno`, absolute). */
export const PROJECT_DENO: string = fileURLToPath(new URL("../../node_modules/.bin/deno", import.meta.url));

/** The kernel could not start, died, or did not answer in time. */
export class KernelError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "KernelError";
  }
}

/** Options for {@link Kernel.start}. */
export interface KernelOptions {
  /** Working directory of the kernel (cells' relative paths resolve against it). */
  cwd: string;
  /** Deno binary; defaults to {@link PROJECT_DENO}. */
  deno?: string;
  /** How long to wait for the kernel to answer kernel_info on shell and iopub (ms, default 60 000). */
  startupTimeoutMs?: number;
  /** Extra environment variables for the kernel. */
  env?: Record<string, string>;
  /** Picks the five ports (default {@link freePorts}); tests use it to hand out a port that is taken. */
  pickPorts?: () => Promise<number[]>;
}

/** Connection parameters, as written to the connection file. */
export interface ConnectionInfo {
  ip: string;
  transport: "tcp";
  shell_port: number;
  iopub_port: number;
  stdin_port: number;
  control_port: number;
  hb_port: number;
  key: string;
  signature_scheme: "hmac-sha256";
  kernel_name: string;
}

type Channel = "shell" | "control";

/** Kernels not yet shut down: killed (and their connection files removed) if the runner exits first. */
const live = new Map<ChildProcess, string>();
let exitHookInstalled = false;
function track(child: ChildProcess, connFile: string): void {
  live.set(child, connFile);
  child.once("exit", () => live.delete(child));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once("exit", () => {
      for (const [c, file] of live) {
        c.kill("SIGKILL");
        rmSync(file, { force: true });
      }
    });
  }
}

/** Free TCP ports on 127.0.0.1, found by binding port 0 (all at once, so they differ). */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, () =>
      new Promise<net.Server>((resolve, reject) => {
        const s = net.createServer();
        s.once("error", reject);
        s.listen(0, "127.0.0.1", () => resolve(s));
      })),
  );
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

/**
 * A running kernel with connected shell, control and iopub sockets.
 *
 * @example
 * const k = await Kernel.start({ cwd: "notebooks" });
 * k.onIopub((m) => console.log(m.header.msg_type));
 * const req = k.send("shell", "execute_request", { code: "1 + 1", silent: false });
 * console.log((await k.reply(req.header.msg_id, 10_000)).content.status);
 * await k.shutdown();
 */
export class Kernel {
  readonly session: Session;
  /** The kernel_info_reply content (language_info, implementation…), once connected. */
  // deno-lint-ignore no-explicit-any
  info?: Record<string, any>;
  /** Set once the process has exited; the text says how. */
  exitReason?: string;

  private readonly waiting = new Map<string, { resolve: (m: JupyterMessage) => void; reject: (e: Error) => void }>();
  private readonly iopubHandlers: ((m: JupyterMessage) => void)[] = [];
  private readonly exitHandlers: ((reason: string) => void)[] = [];
  private readonly sockets: Partial<Record<Channel | "iopub", ZmtpSocket>> = {};
  private output = "";
  /** Resolves when the process is gone (exited, or never started). */
  private readonly exited: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    readonly conn: ConnectionInfo,
    private readonly connFile: string,
  ) {
    this.session = new Session(conn.key);
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString("utf8")).slice(-8000);
    };
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    // "error" without a pid means it never started (Deno's node:child_process then emits no "exit").
    this.exited = new Promise<void>((resolve) => {
      const gone = (reason: string) => {
        if (this.exitReason) return;
        this.exitReason = reason;
        const err = new KernelError(`the kernel ${reason}${this.outputTail()}`);
        for (const w of this.waiting.values()) w.reject(err);
        this.waiting.clear();
        for (const h of this.exitHandlers) h(reason);
        resolve();
      };
      child.once("exit", (code, signal) => gone(signal ? `killed by ${signal}` : `exited with code ${code}`));
      child.once("error", (e) => {
        if (child.pid === undefined) gone(`could not be started: ${e.message}`);
      });
    });
  }

  /**
   * Writes a connection file, spawns the kernel and waits until shell and iopub both answer. The free ports are
   * only free when chosen: another process (a second notebook starting in parallel) can take one before the
   * kernel binds it, so a kernel that fails with "address in use" is started again on new ports.
   */
  static async start(opts: KernelOptions): Promise<Kernel> {
    const attempts = 4;
    for (let attempt = 1;; attempt++) {
      try {
        return await Kernel.startOnce(opts);
      } catch (err) {
        const portTaken = /AddrInUse|Address already in use/.test(err instanceof Error ? err.message : String(err));
        if (!portTaken || attempt === attempts) throw err;
      }
    }
  }

  private static async startOnce(opts: KernelOptions): Promise<Kernel> {
    const [shell, iopub, stdin, control, hb] = await (opts.pickPorts ?? (() => freePorts(5)))();
    const conn: ConnectionInfo = {
      ip: "127.0.0.1",
      transport: "tcp",
      shell_port: shell,
      iopub_port: iopub,
      stdin_port: stdin,
      control_port: control,
      hb_port: hb,
      key: randomBytes(32).toString("hex"),
      signature_scheme: "hmac-sha256",
      kernel_name: "deno",
    };
    const connFile = join(tmpdir(), `tinyml-kernel-${randomUUID()}.json`);
    writeFileSync(connFile, JSON.stringify(conn, null, 2), { mode: 0o600 });
    const child = spawn(opts.deno ?? PROJECT_DENO, ["jupyter", "--kernel", "--conn", connFile], {
      cwd: opts.cwd,
      env: { ...process.env, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1", ...opts.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    track(child, connFile);
    const kernel = new Kernel(child, conn, connFile);
    try {
      await kernel.connect(opts.startupTimeoutMs ?? 60_000);
    } catch (err) {
      await kernel.shutdown(0);
      if (kernel.exitReason?.startsWith("could not")) {
        throw new KernelError(`the Deno kernel (${opts.deno ?? PROJECT_DENO}) ${kernel.exitReason}`);
      }
      throw err;
    }
    return kernel;
  }

  /** The kernel's process id. */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Registers a handler for every iopub message (all topics). */
  onIopub(handler: (m: JupyterMessage) => void): void {
    this.iopubHandlers.push(handler);
  }

  /** Registers a handler called when the kernel process exits. */
  onExit(handler: (reason: string) => void): void {
    this.exitHandlers.push(handler);
  }

  /** Sends a request on shell or control; returns the message sent (its msg_id identifies the reply and outputs). */
  send(channel: Channel, msgType: string, content: Record<string, unknown>): JupyterMessage {
    const msg = this.session.message(msgType, content);
    const sock = this.sockets[channel];
    if (!sock || this.exitReason) {
      throw new KernelError(`cannot send ${msgType}: the kernel ${this.exitReason ?? "is not connected"}`);
    }
    sock.send(this.session.encode(msg));
    return msg;
  }

  /** Waits for the shell/control reply to `msgId`; rejects after `timeoutMs` or if the kernel dies. */
  reply(msgId: string, timeoutMs: number): Promise<JupyterMessage> {
    if (this.exitReason) return Promise.reject(new KernelError(`the kernel ${this.exitReason}`));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(msgId);
        reject(new KernelError(`no reply from the kernel within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = <T>(f: (v: T) => void) => (v: T) => {
        clearTimeout(timer);
        this.waiting.delete(msgId);
        f(v);
      };
      this.waiting.set(msgId, { resolve: done(resolve), reject: done(reject) });
    });
  }

  /** Asks the kernel to interrupt the running cell (control channel); true if it acknowledged in time. */
  async interrupt(timeoutMs = 2000): Promise<boolean> {
    try {
      const req = this.send("control", "interrupt_request", {});
      await this.reply(req.header.msg_id, timeoutMs);
      return true;
    } catch {
      return false;
    }
  }

  /** The last lines the kernel printed (stdout + stderr), for error messages. */
  outputTail(): string {
    const text = this.output.trim();
    return text ? `\nkernel output:\n${text.split("\n").slice(-20).join("\n")}` : "";
  }

  /**
   * Asks the kernel to shut down, waits up to `graceMs` for it to exit, then kills it.
   * Always closes the sockets and removes the connection file. Safe to call twice.
   */
  async shutdown(graceMs = 2000): Promise<void> {
    if (!this.exitReason && graceMs > 0 && this.sockets.control) {
      try {
        this.send("control", "shutdown_request", { restart: false });
      } catch { /* already gone */ }
      await Promise.race([this.exited, new Promise((r) => setTimeout(r, graceMs))]);
    }
    if (!this.exitReason) this.child.kill("SIGKILL");
    await this.exited;
    for (const s of Object.values(this.sockets)) s?.close();
    rmSync(this.connFile, { force: true });
  }

  private async connect(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const abort = () => (this.exitReason ? `the kernel ${this.exitReason}${this.outputTail()}` : undefined);
    const open = (port: number, type: "DEALER" | "SUB") =>
      ZmtpSocket.connect({ host: this.conn.ip, port, type, retryMs: timeoutMs, abort });
    const [shell, control, iopub] = await Promise.all([
      open(this.conn.shell_port, "DEALER"),
      open(this.conn.control_port, "DEALER"),
      open(this.conn.iopub_port, "SUB"),
    ]);
    Object.assign(this.sockets, { shell, control, iopub });
    for (const s of [shell, control]) s.listen((frames) => this.onReply(frames));
    let iopubSeen = false;
    iopub.listen((frames) => {
      const msg = this.tryDecode(frames);
      if (!msg) return;
      iopubSeen = true;
      for (const h of this.iopubHandlers) h(msg);
    });
    iopub.subscribe("");
    // A SUB socket misses what is published before its subscription lands, so nudge with kernel_info
    // until a status message for one of them comes back on iopub: then no output can be lost.
    while (!iopubSeen) {
      if (Date.now() > deadline) {
        throw new KernelError(`the kernel did not answer within ${timeoutMs} ms${this.outputTail()}`);
      }
      const req = this.send("shell", "kernel_info_request", {});
      this.info = (await this.reply(req.header.msg_id, Math.max(1, deadline - Date.now()))).content;
      const until = Date.now() + 300;
      while (!iopubSeen && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    }
  }

  private onReply(frames: Buffer[]): void {
    const msg = this.tryDecode(frames);
    const id = msg?.parent_header.msg_id;
    if (msg && id) this.waiting.get(id)?.resolve(msg);
  }

  private tryDecode(frames: Buffer[]): JupyterMessage | undefined {
    try {
      return this.session.decode(frames);
    } catch (err) {
      if (err instanceof MessageError || err instanceof SyntaxError) return undefined; // not ours / corrupt: drop
      throw err;
    }
  }
}
