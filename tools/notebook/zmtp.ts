/**
 * A minimal ZeroMQ client socket speaking ZMTP 3.0 over `node:net` (https://rfc.zeromq.org/spec/23/).
 *
 * Just enough for a Jupyter client: one TCP connection per socket, the NULL security mechanism,
 * DEALER (shell/control) and SUB (iopub) socket types. No reconnects: a kernel connection that drops
 * means the kernel died, and the runner reports that instead of hiding it.
 */
import * as net from "node:net";
import { Buffer } from "node:buffer";

/** The socket types this client can be. */
export type ZmtpSocketType = "DEALER" | "SUB";

/** A connection or protocol failure on a ZMTP socket. */
export class ZmtpError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ZmtpError";
  }
}

const FLAG_MORE = 0x01;
const FLAG_LONG = 0x02;
const FLAG_COMMAND = 0x04;
const GREETING_SIZE = 64;

/** The 64-byte greeting: signature, version 3.0, mechanism "NULL", as-server = 0, zero filler. */
export function greeting(): Buffer {
  const g = Buffer.alloc(GREETING_SIZE);
  g[0] = 0xff;
  g[9] = 0x7f;
  g[10] = 3; // major
  g[11] = 0; // minor: 3.0, so subscriptions travel as messages (0x01 + topic)
  g.write("NULL", 12, "ascii");
  return g;
}

/** Encodes one frame (message or command) with the short or long size form as needed. */
export function encodeFrame(body: Uint8Array, more: boolean, command = false): Buffer {
  const flags = (more ? FLAG_MORE : 0) | (command ? FLAG_COMMAND : 0);
  if (body.length <= 255) {
    return Buffer.concat([Buffer.from([flags, body.length]), body]);
  }
  const head = Buffer.alloc(9);
  head[0] = flags | FLAG_LONG;
  head.writeBigUInt64BE(BigInt(body.length), 1);
  return Buffer.concat([head, body]);
}

/** Encodes a command body: name-length, name, then properties (name-length, name, 4-byte value-length, value). */
export function encodeCommand(name: string, props: Record<string, string> = {}): Buffer {
  const parts: Buffer[] = [Buffer.from([name.length]), Buffer.from(name, "ascii")];
  for (const [key, value] of Object.entries(props)) {
    const v = Buffer.from(value, "utf8");
    const len = Buffer.alloc(4);
    len.writeUInt32BE(v.length, 0);
    parts.push(Buffer.from([key.length]), Buffer.from(key, "ascii"), len, v);
  }
  return encodeFrame(Buffer.concat(parts), false, true);
}

/** Splits a command body into its name and the rest (properties or payload). */
export function decodeCommand(body: Buffer): { name: string; data: Buffer } {
  const n = body[0] ?? 0;
  return { name: body.subarray(1, 1 + n).toString("ascii"), data: body.subarray(1 + n) };
}

/** One decoded frame. */
interface Frame {
  command: boolean;
  more: boolean;
  body: Buffer;
}

/**
 * Incremental frame decoder: feed it bytes as they arrive, get whole frames back.
 * Returns the frames found and keeps any partial tail for the next call.
 */
export class FrameDecoder {
  private buf: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Frame[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const frames: Frame[] = [];
    for (;;) {
      if (this.buf.length < 2) break;
      const flags = this.buf[0];
      const long = (flags & FLAG_LONG) !== 0;
      const headSize = long ? 9 : 2;
      if (this.buf.length < headSize) break;
      const size = long ? Number(this.buf.readBigUInt64BE(1)) : this.buf[1];
      if (this.buf.length < headSize + size) break;
      frames.push({
        command: (flags & FLAG_COMMAND) !== 0,
        more: (flags & FLAG_MORE) !== 0,
        body: Buffer.from(this.buf.subarray(headSize, headSize + size)),
      });
      this.buf = this.buf.subarray(headSize + size);
    }
    return frames;
  }
}

/** Options for {@link ZmtpSocket.connect}. */
export interface ZmtpConnectOptions {
  host: string;
  port: number;
  type: ZmtpSocketType;
  /** Keep retrying a refused connection (the peer may not be listening yet) until this many ms have passed. */
  retryMs?: number;
  /** Stop retrying early when this returns a reason (e.g. the kernel process exited). */
  abort?: () => string | undefined;
}

/**
 * A connected ZMTP socket. Messages are arrays of frames; the `listen` handler receives each whole message.
 *
 * @example
 * const sub = await ZmtpSocket.connect({ host: "127.0.0.1", port, type: "SUB" });
 * sub.subscribe("");
 * sub.listen((frames) => console.log(frames.map(String)));
 */
export class ZmtpSocket {
  private handler?: (frames: Buffer[]) => void;
  private readonly inbox: Buffer[][] = [];
  /** Called once when the connection closes (for any reason) after the handshake. */
  onClose: (reason: string) => void = () => {};

  private closed = false;
  private readonly pending: Buffer[] = [];

  private constructor(private readonly sock: net.Socket, decoder: FrameDecoder, first: Frame[]) {
    sock.on("data", (chunk: Buffer) => this.dispatch(decoder.push(chunk)));
    sock.on("error", () => {}); // "close" follows and reports it
    sock.on("close", () => {
      if (!this.closed) {
        this.closed = true;
        this.onClose("connection closed by peer");
      }
    });
    this.dispatch(first); // frames that came in the same chunk as the peer's READY
  }

  /** Sets the handler for complete incoming messages; messages received before this are delivered now. */
  listen(handler: (frames: Buffer[]) => void): void {
    this.handler = handler;
    for (const m of this.inbox.splice(0)) handler(m);
  }

  /** Connects, exchanges greetings and READY commands, and resolves once the socket can carry messages. */
  static async connect(opts: ZmtpConnectOptions): Promise<ZmtpSocket> {
    const deadline = Date.now() + (opts.retryMs ?? 0);
    for (;;) {
      try {
        return await ZmtpSocket.connectOnce(opts);
      } catch (err) {
        const refused = (err as { code?: string }).code === "ECONNREFUSED";
        const why = opts.abort?.();
        if (why) throw new ZmtpError(`cannot connect to ${opts.host}:${opts.port}: ${why}`);
        if (!refused || Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }

  private static connectOnce(opts: ZmtpConnectOptions): Promise<ZmtpSocket> {
    return new Promise((resolve, reject) => {
      const sock = net.connect({ host: opts.host, port: opts.port });
      sock.setNoDelay(true);
      let stage: "greeting" | "ready" = "greeting";
      let head = Buffer.alloc(0);
      const decoder = new FrameDecoder();
      const fail = (err: Error) => {
        sock.removeAllListeners("data");
        sock.destroy();
        reject(err);
      };
      sock.once("error", fail);
      sock.once(
        "close",
        () => fail(new ZmtpError(`${opts.host}:${opts.port} closed the connection during the handshake`)),
      );
      sock.setTimeout(
        10_000,
        () => fail(new ZmtpError(`no ZMTP handshake from ${opts.host}:${opts.port} within 10 s`)),
      );
      sock.on("connect", () => sock.write(greeting()));
      const onData = (chunk: Buffer) => {
        let rest = chunk;
        if (stage === "greeting") {
          head = Buffer.concat([head, chunk]);
          if (head.length < GREETING_SIZE) return;
          if (head[0] !== 0xff || head[9] !== 0x7f || head[10] < 3) {
            return fail(new ZmtpError(`${opts.host}:${opts.port} is not a ZMTP 3 peer`));
          }
          const mechanism = head.subarray(12, 32).toString("ascii").replace(/\0+$/, "");
          if (mechanism !== "NULL") {
            return fail(new ZmtpError(`peer wants security mechanism ${mechanism}; only NULL is supported`));
          }
          rest = head.subarray(GREETING_SIZE);
          stage = "ready";
          sock.write(encodeCommand("READY", { "Socket-Type": opts.type }));
        }
        const frames = decoder.push(rest);
        const i = frames.findIndex((f) => f.command);
        if (i < 0) return;
        const { name } = decodeCommand(frames[i].body);
        if (name === "ERROR") return fail(new ZmtpError(`peer refused the handshake: ${frames[i].body.toString()}`));
        if (name !== "READY") return fail(new ZmtpError(`expected READY from peer, got ${name}`));
        sock.removeListener("data", onData);
        sock.removeAllListeners("error");
        sock.removeAllListeners("close");
        sock.removeAllListeners("timeout");
        sock.setTimeout(0);
        resolve(new ZmtpSocket(sock, decoder, frames.slice(i + 1)));
      };
      sock.on("data", onData);
    });
  }

  /** Subscribes a SUB socket to every topic starting with `prefix` ("" = all). */
  subscribe(prefix = ""): void {
    this.write([Buffer.concat([Buffer.from([1]), Buffer.from(prefix, "utf8")])]);
  }

  /** Sends one message made of the given frames. */
  send(frames: (Buffer | string)[]): void {
    this.write(frames.map((f) => (typeof f === "string" ? Buffer.from(f, "utf8") : f)));
  }

  /** Closes the connection without notifying `onClose`. */
  close(): void {
    this.closed = true;
    this.sock.destroy();
  }

  private write(frames: Buffer[]): void {
    if (this.closed) throw new ZmtpError("socket is closed");
    this.sock.write(Buffer.concat(frames.map((f, i) => encodeFrame(f, i < frames.length - 1))));
  }

  private dispatch(frames: Frame[]): void {
    for (const f of frames) {
      if (f.command) {
        const { name, data } = decodeCommand(f.body);
        // ZMTP 3.1 heartbeat: answer PING with PONG carrying the ping's context (after its 2-byte TTL).
        if (name === "PING" && !this.closed) {
          this.sock.write(encodeFrame(encodeCommandBody("PONG", data.subarray(2)), false, true));
        }
        continue;
      }
      this.pending.push(f.body);
      if (f.more) continue;
      const message = this.pending.splice(0);
      if (this.handler) this.handler(message);
      else this.inbox.push(message);
    }
  }
}

function encodeCommandBody(name: string, data: Buffer): Buffer {
  return Buffer.concat([Buffer.from([name.length]), Buffer.from(name, "ascii"), data]);
}
