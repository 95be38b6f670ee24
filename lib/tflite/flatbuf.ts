/**
 * A defensive flatbuffer table reader on top of the `flatbuffers` runtime's `ByteBuffer`.
 *
 * The generated readers of `flatc` trust every offset; a .tflite file is untrusted input, so here every
 * offset is bounds-checked before it is followed, vector lengths are capped by the bytes that remain, and a
 * work budget stops files whose tables point at the same data over and over (a small file could otherwise
 * expand into gigabytes of decoded arrays). Every failure is a {@link TfliteError} naming the path and byte.
 *
 * Paths (`subgraphs[0].tensors[3].shape`) are only built when an error is thrown, so reading stays cheap.
 *
 * @module
 */
import { ByteBuffer } from "flatbuffers";
import { TfliteError } from "./errors.ts";

const UTF8 = new TextDecoder();
const CORRUPT_HINT = "the file is truncated or corrupt; re-export it from the converter (or re-download it)";

/** A path into the model, or a function that builds it (called only for error messages). */
export type Where = string | (() => string);

const whereText = (w: Where): string => (typeof w === "string" ? w : w());

/** Reads primitive values at absolute byte positions, each bounds-checked. */
export class FbReader {
  readonly bb: ByteBuffer;
  readonly size: number;
  /** Remaining decode work (bytes); shared by all tables of one parse. */
  private budget: number;

  constructor(readonly bytes: Uint8Array) {
    this.bb = new ByteBuffer(bytes);
    this.size = bytes.length;
    // A well-formed file decodes each byte about once; allow generous slack for legit sharing.
    this.budget = (1 << 20) + 8 * bytes.length;
  }

  /** Throws unless `[at, at + n)` lies inside the file. */
  need(at: number, n: number, where: Where, what: string): void {
    if (!(at >= 0 && n >= 0 && at + n <= this.size && Number.isSafeInteger(at + n))) {
      throw new TfliteError(`${what} out of bounds (${n} bytes at ${at}, file has ${this.size})`, whereText(where), CORRUPT_HINT, at);
    }
  }

  /** Spends decode work; throws when a file asks for far more decoding than its size justifies. */
  charge(n: number, where: Where, at: number): void {
    this.budget -= n;
    if (this.budget < 0) {
      throw new TfliteError(
        "decoding budget exceeded (tables reference the same data too many times)",
        whereText(where),
        "the file is corrupt or crafted; re-export the model",
        at,
      );
    }
  }

  u16(at: number, where: Where): number {
    this.need(at, 2, where, "uint16");
    return this.bb.readUint16(at);
  }
  i32(at: number, where: Where): number {
    this.need(at, 4, where, "int32");
    return this.bb.readInt32(at);
  }
  u32(at: number, where: Where): number {
    this.need(at, 4, where, "uint32");
    return this.bb.readUint32(at);
  }

  /** Follows the unsigned offset stored at `at` and returns the absolute position it points to. */
  deref(at: number, where: Where): number {
    const target = at + this.u32(at, where);
    this.need(target, 4, where, "offset target");
    return target;
  }

  /** The root table (offset at byte 0), after checking the file identifier at bytes 4..8. */
  root(identifier: string): Table {
    if (this.size < 8) {
      throw new TfliteError(
        `file too small (${this.size} bytes)`,
        "header",
        "a .tflite file has at least an 8-byte header; the file is empty or truncated",
        0,
      );
    }
    const id = String.fromCharCode(...this.bytes.subarray(4, 8));
    if (id !== identifier) {
      throw new TfliteError(
        `wrong file identifier ${JSON.stringify(id)} (expected "${identifier}")`,
        "header",
        "this is not a TFLite flatbuffer model; convert the model with the TFLite converter to get a .tflite file",
        4,
      );
    }
    return new Table(this, this.deref(0, "root"), "model");
  }
}

/** A view of one flatbuffer table: its vtable is validated on construction. */
export class Table {
  private readonly vt: number;
  private readonly vtSize: number;
  private readonly objSize: number;
  private whereText?: string;

  /**
   * @param pos absolute position of the table
   * @param whereOf its path, or a function building it on demand
   */
  constructor(readonly r: FbReader, readonly pos: number, private readonly whereOf: Where) {
    const w = () => this.where;
    r.need(pos, 4, w, "table");
    r.charge(16, w, pos);
    const vt = pos - r.i32(pos, w);
    r.need(vt, 4, w, "vtable");
    const vtSize = r.u16(vt, w);
    const objSize = r.u16(vt + 2, w);
    if (vtSize < 4 || vtSize % 2 !== 0 || objSize < 4) {
      throw new TfliteError(`malformed vtable (size ${vtSize}, table size ${objSize})`, this.where, CORRUPT_HINT, vt);
    }
    r.need(vt, vtSize, w, "vtable");
    r.need(pos, objSize, w, "table body");
    this.vt = vt;
    this.vtSize = vtSize;
    this.objSize = objSize;
  }

  /** This table's path in the model (built on first use). */
  get where(): string {
    return (this.whereText ??= whereText(this.whereOf));
  }

  path(name: string): string {
    return `${this.where}.${name}`;
  }

  /**
   * Absolute position of field `id` (of `size` bytes), or 0 when absent. The vtable and the table body were
   * bounds-checked on construction, so a returned field can be read without further checks.
   */
  field(id: number, size: number, name: string): number {
    const slot = 4 + 2 * id;
    if (slot + 2 > this.vtSize) return 0;
    const off = this.r.bb.readUint16(this.vt + slot);
    if (off === 0) return 0;
    if (off < 4 || off + size > this.objSize) {
      throw new TfliteError(`field ${name} lies outside its table`, this.path(name), CORRUPT_HINT, this.pos + off);
    }
    return this.pos + off;
  }

  has(id: number): boolean {
    const slot = 4 + 2 * id;
    return slot + 2 <= this.vtSize && this.r.bb.readUint16(this.vt + slot) !== 0;
  }

  u8(id: number, name: string, def = 0): number {
    const p = this.field(id, 1, name);
    return p ? this.r.bb.readUint8(p) : def;
  }
  i8(id: number, name: string, def = 0): number {
    const p = this.field(id, 1, name);
    return p ? this.r.bb.readInt8(p) : def;
  }
  bool(id: number, name: string, def = false): boolean {
    const p = this.field(id, 1, name);
    return p ? this.r.bb.readUint8(p) !== 0 : def;
  }
  i32(id: number, name: string, def = 0): number {
    const p = this.field(id, 4, name);
    return p ? this.r.bb.readInt32(p) : def;
  }
  u32(id: number, name: string, def = 0): number {
    const p = this.field(id, 4, name);
    return p ? this.r.bb.readUint32(p) : def;
  }
  f32(id: number, name: string, def = 0): number {
    const p = this.field(id, 4, name);
    return p ? this.r.bb.readFloat32(p) : def;
  }
  i64(id: number, name: string, def = 0n): bigint {
    const p = this.field(id, 8, name);
    return p ? this.r.bb.readInt64(p) : def;
  }

  /** Position of the object an offset field points to, or 0 when absent. */
  private ref(id: number, name: string): number {
    const p = this.field(id, 4, name);
    return p ? this.r.deref(p, () => this.path(name)) : 0;
  }

  /** A sub-table, or undefined when absent. */
  table(id: number, name: string): Table | undefined {
    const p = this.ref(id, name);
    return p ? new Table(this.r, p, () => this.path(name)) : undefined;
  }

  /** Start (first element) and length of a vector of `elemSize`-byte elements, or undefined when absent. */
  vector(id: number, name: string, elemSize: number): { start: number; length: number } | undefined {
    const p = this.ref(id, name);
    if (!p) return undefined;
    const where = () => this.path(name);
    const length = this.r.bb.readUint32(p); // deref checked 4 bytes at p
    // Capped by the bytes that remain: a corrupt length cannot make us allocate more than the file holds.
    this.r.need(p + 4, length * elemSize, where, `vector of ${length} elements`);
    this.r.charge(length * elemSize, where, p);
    return { start: p + 4, length };
  }

  i32s(id: number, name: string): number[] | undefined {
    const v = this.vector(id, name, 4);
    if (!v) return undefined;
    const out = new Array<number>(v.length);
    for (let i = 0; i < v.length; i++) out[i] = this.r.bb.readInt32(v.start + 4 * i);
    return out;
  }
  f32s(id: number, name: string): number[] | undefined {
    const v = this.vector(id, name, 4);
    if (!v) return undefined;
    const out = new Array<number>(v.length);
    for (let i = 0; i < v.length; i++) out[i] = this.r.bb.readFloat32(v.start + 4 * i);
    return out;
  }
  i64s(id: number, name: string): bigint[] | undefined {
    const v = this.vector(id, name, 8);
    if (!v) return undefined;
    const out = new Array<bigint>(v.length);
    for (let i = 0; i < v.length; i++) out[i] = this.r.bb.readInt64(v.start + 8 * i);
    return out;
  }
  /** A byte vector as a view into the file (no copy). */
  bytes(id: number, name: string): Uint8Array | undefined {
    const v = this.vector(id, name, 1);
    return v ? this.r.bytes.subarray(v.start, v.start + v.length) : undefined;
  }
  str(id: number, name: string): string | undefined {
    const b = this.bytes(id, name);
    return b ? UTF8.decode(b) : undefined;
  }
  /** A vector of tables. */
  tables(id: number, name: string): Table[] {
    const v = this.vector(id, name, 4);
    if (!v) return [];
    const out: Table[] = [];
    for (let i = 0; i < v.length; i++) {
      const where = () => `${this.path(name)}[${i}]`;
      out.push(new Table(this.r, this.r.deref(v.start + 4 * i, where), where));
    }
    return out;
  }
}
