/**
 * Jupyter messages on the wire (messaging spec 5.3): building, HMAC-SHA256 signing, parsing.
 *
 * Wire form: [routing ids…, "<IDS|MSG>", signature, header, parent_header, metadata, content, buffers…],
 * where signature = hex(HMAC-SHA256(key, header + parent_header + metadata + content)).
 */
import { createHmac, randomUUID, timingSafeEqual } from "node:crypto";
import { Buffer } from "node:buffer";

const DELIMITER = "<IDS|MSG>";

/** A message header. */
export interface MessageHeader {
  msg_id: string;
  session: string;
  username: string;
  date: string;
  msg_type: string;
  version: string;
}

/** A decoded Jupyter message. `content` is kept loose: each caller reads the fields of its message type. */
export interface JupyterMessage {
  header: MessageHeader;
  parent_header: Partial<MessageHeader>;
  metadata: Record<string, unknown>;
  // deno-lint-ignore no-explicit-any
  content: Record<string, any>;
  buffers: Buffer[];
}

/** A message that could not be decoded or whose signature is wrong. */
export class MessageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MessageError";
  }
}

/** Signs and parses messages for one client session (one key, one session id). */
export class Session {
  readonly id: string = randomUUID();

  /** @param key the connection file's key; "" disables signing (as the spec allows). */
  constructor(private readonly key: string) {}

  /** Builds a new message of `msgType` with a fresh msg_id. */
  message(msgType: string, content: Record<string, unknown>, parent: Partial<MessageHeader> = {}): JupyterMessage {
    return {
      header: {
        msg_id: randomUUID(),
        session: this.id,
        username: "tinyml-kit",
        date: new Date().toISOString(),
        msg_type: msgType,
        version: "5.3",
      },
      parent_header: parent,
      metadata: {},
      content,
      buffers: [],
    };
  }

  /** Serializes a message into ZMTP frames, signed. */
  encode(msg: JupyterMessage): Buffer[] {
    const parts = [msg.header, msg.parent_header, msg.metadata, msg.content].map((p) =>
      Buffer.from(JSON.stringify(p), "utf8")
    );
    return [Buffer.from(DELIMITER), Buffer.from(this.sign(parts)), ...parts, ...msg.buffers];
  }

  /** Parses ZMTP frames into a message; throws {@link MessageError} on a bad signature or shape. */
  decode(frames: Buffer[]): JupyterMessage {
    const at = frames.findIndex((f) => f.length === DELIMITER.length && f.toString("latin1") === DELIMITER);
    if (at < 0 || frames.length < at + 6) throw new MessageError("not a Jupyter message (no <IDS|MSG> delimiter)");
    const signature = frames[at + 1].toString("ascii");
    const parts = frames.slice(at + 2, at + 6);
    if (this.key) {
      const want = Buffer.from(this.sign(parts));
      const got = Buffer.from(signature);
      if (want.length !== got.length || !timingSafeEqual(want, got)) throw new MessageError("bad message signature");
    }
    const [header, parent, metadata, content] = parts.map((p) => JSON.parse(p.toString("utf8")));
    return {
      header,
      parent_header: parent ?? {},
      metadata: metadata ?? {},
      content: content ?? {},
      buffers: frames.slice(at + 6),
    };
  }

  private sign(parts: Buffer[]): string {
    if (!this.key) return "";
    const h = createHmac("sha256", this.key);
    for (const p of parts) h.update(p);
    return h.digest("hex");
  }
}
