// Protocol pieces without a kernel: ZMTP framing and handshake, message signing, output handling.
import { Buffer } from "node:buffer";
import * as net from "node:net";
import { describe, expect, test } from "vitest";
import {
  type JupyterMessage,
  MessageError,
  type Output,
  OutputCollector,
  Session,
  stripAnsi,
  ZmtpSocket,
} from "../../tools/notebook/mod.ts";
import { encodeCommand, encodeFrame, FrameDecoder, greeting } from "../../tools/notebook/zmtp.ts";

describe("ZMTP framing", () => {
  test("short and long frames round-trip through the decoder, even split byte by byte", () => {
    const small = Buffer.from("hello");
    const big = Buffer.alloc(70_000, 7);
    const wire = Buffer.concat([encodeFrame(small, true), encodeFrame(big, false)]);
    expect(wire[0]).toBe(0x01); // MORE, short
    expect(wire[small.length + 2]).toBe(0x02); // LONG, last
    const dec = new FrameDecoder();
    const frames = [];
    for (let i = 0; i < wire.length; i += 997) frames.push(...dec.push(wire.subarray(i, i + 997)));
    expect(frames.map((f) => [f.more, f.body.length])).toEqual([[true, 5], [false, 70_000]]);
    expect(frames[0].body.toString()).toBe("hello");
    expect(frames[1].body.every((b) => b === 7)).toBe(true);
  });

  test("greeting is 64 bytes: signature, version 3.0, NULL mechanism", () => {
    const g = greeting();
    expect(g.length).toBe(64);
    expect([g[0], g[9], g[10], g[11]]).toEqual([0xff, 0x7f, 3, 0]);
    expect(g.subarray(12, 16).toString()).toBe("NULL");
  });

  test("handshake with a fake peer, then a SUB subscription and a multipart message", async () => {
    const received: Buffer[] = [];
    let peer: net.Socket | undefined;
    const server = net.createServer((s) => {
      peer = s;
      s.write(greeting());
      s.write(encodeCommand("READY", { "Socket-Type": "PUB" }));
      // a message sent right behind READY, before the client has a handler: must not be lost
      s.write(Buffer.concat([encodeFrame(Buffer.from("topic"), true), encodeFrame(Buffer.from("body"), false)]));
      s.on("data", (d: Buffer) => received.push(d));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const sock = await ZmtpSocket.connect({ host: "127.0.0.1", port, type: "SUB" });
      const messages: string[][] = [];
      sock.listen((frames) => messages.push(frames.map(String)));
      sock.subscribe("");
      await new Promise((r) => setTimeout(r, 100));
      const all = Buffer.concat(received);
      expect(all.subarray(0, 64).equals(greeting())).toBe(true);
      const frames = new FrameDecoder().push(all.subarray(64));
      expect(frames[0].command).toBe(true);
      expect(frames[0].body.toString()).toContain("READY");
      expect(frames[0].body.toString()).toContain("Socket-Type\0\0\0\x03SUB"); // 4-byte length, value
      expect(frames[1].command).toBe(false);
      expect([...frames[1].body]).toEqual([1]); // subscribe to everything
      expect(messages).toEqual([["topic", "body"]]);
      sock.close();
    } finally {
      peer?.destroy();
      await new Promise((r) => server.close(r));
    }
  });
});

describe("ZMTP handshake failures are clear", () => {
  async function withServer(onConn: (s: net.Socket) => void, body: (port: number) => Promise<void>) {
    const server = net.createServer(onConn);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      await body((server.address() as net.AddressInfo).port);
    } finally {
      await new Promise((r) => server.close(r));
    }
  }

  test("a peer that is not ZMTP", async () => {
    const http = (s: net.Socket) => s.end("HTTP/1.1 400 Bad Request\r\n".padEnd(64, " ")).resume();
    await withServer(http, async (port) => {
      await expect(ZmtpSocket.connect({ host: "127.0.0.1", port, type: "DEALER" })).rejects.toThrow(
        /not a ZMTP 3 peer/,
      );
    });
  });

  test("a peer that hangs up during the handshake", async () => {
    await withServer((s) => s.destroy(), async (port) => {
      await expect(ZmtpSocket.connect({ host: "127.0.0.1", port, type: "DEALER" })).rejects.toThrow(
        /closed the connection/,
      );
    });
  });
});

describe("Jupyter messages", () => {
  test("signed messages round-trip; a tampered one is rejected", () => {
    const s = new Session("secret-key");
    const msg = s.message("execute_request", { code: "1 + 1" });
    const frames = s.encode(msg);
    expect(frames[0].toString()).toBe("<IDS|MSG>");
    expect(frames[1].toString()).toMatch(/^[0-9a-f]{64}$/);
    const back = s.decode([Buffer.from("routing-id"), ...frames]);
    expect(back.header.msg_id).toBe(msg.header.msg_id);
    expect(back.content).toEqual({ code: "1 + 1" });
    const bad = [...frames];
    bad[5] = Buffer.from(JSON.stringify({ code: "evil()" }));
    expect(() => s.decode(bad)).toThrow(MessageError);
    expect(() => new Session("other-key").decode(frames)).toThrow(/signature/);
  });

  test("stripAnsi removes colour codes", () => {
    expect(stripAnsi("\x1b[31mError\x1b[0m: \x1b[1mboom\x1b[22m")).toBe("Error: boom");
  });
});

describe("OutputCollector", () => {
  const s = new Session("");
  const iopub = (type: string, content: Record<string, unknown>): JupyterMessage => s.message(type, content);

  test("merges streams, updates displays in place (across cells), honours clear_output(wait)", () => {
    const c = new OutputCollector();
    const a: Output[] = [];
    const b: Output[] = [];
    c.apply(a, iopub("stream", { name: "stdout", text: "one\n" }));
    c.apply(a, iopub("stream", { name: "stdout", text: "two\n" }));
    c.apply(a, iopub("stream", { name: "stderr", text: "warn\n" }));
    c.apply(a, iopub("display_data", { data: { "text/plain": "0%" }, metadata: {}, transient: { display_id: "p" } }));
    expect(c.apply(a, iopub("status", { execution_state: "idle" }))).toBe(false);
    c.apply(
      b,
      iopub("update_display_data", { data: { "text/plain": "100%" }, metadata: {}, transient: { display_id: "p" } }),
    );
    c.apply(
      b,
      iopub("update_display_data", { data: { "text/plain": "?" }, metadata: {}, transient: { display_id: "unknown" } }),
    );
    expect(b).toEqual([]);
    expect(a).toEqual([
      { output_type: "stream", name: "stdout", text: "one\ntwo\n" },
      { output_type: "stream", name: "stderr", text: "warn\n" },
      { output_type: "display_data", data: { "text/plain": "100%" }, metadata: {} },
    ]);
    c.apply(b, iopub("execute_result", { execution_count: 3, data: { "text/plain": "1" }, metadata: {} }));
    c.apply(b, iopub("clear_output", { wait: true }));
    expect(b.length).toBe(1); // wait=true: cleared only when the next output comes
    c.apply(b, iopub("error", { ename: "E", evalue: "v", traceback: ["t"] }));
    expect(b).toEqual([{ output_type: "error", ename: "E", evalue: "v", traceback: ["t"] }]);
    c.apply(b, iopub("clear_output", { wait: false }));
    expect(b).toEqual([]);
  });
});
