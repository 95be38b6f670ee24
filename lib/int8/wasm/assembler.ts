/**
 * A very small WebAssembly encoder: just enough to build the engine's SIMD kernels at load time from
 * readable TypeScript (no binary blobs, no build step). Instructions are byte arrays; helpers compose
 * them like expressions (`add(get("i"), i32(1))`).
 *
 * @module
 */

/** Bytes of some code. */
export type Code = number[];

/** Unsigned LEB128. */
export function uleb(n: number): Code {
  const out: Code = [];
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 (for i32/i64 constants up to 2^53). */
export function sleb(n: number): Code {
  const out: Code = [];
  for (;;) {
    const b = ((n % 128) + 128) % 128;
    n = Math.floor(n / 128);
    const done = (n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0);
    out.push(done ? b : b | 0x80);
    if (done) return out;
  }
}

const cat = (...parts: Code[]): Code => parts.flat();

/** Value types. */
export const I32 = 0x7f, I64 = 0x7e, V128 = 0x7b;

/** A function under construction, with named parameters and locals. */
export class Func {
  readonly locals = new Map<string, number>();
  private readonly extra: number[] = [];
  constructor(readonly name: string, readonly params: string[], readonly result: number | null = null, paramTypes?: number[]) {
    params.forEach((p, i) => this.locals.set(p, i));
    this.paramTypes = paramTypes ?? params.map(() => I32);
  }
  readonly paramTypes: number[];
  body: Code = [];
  /** Declare locals (i32 by default). */
  local(names: string[], type = I32): this {
    for (const n of names) {
      this.locals.set(n, this.params.length + this.extra.length);
      this.extra.push(type);
    }
    return this;
  }
  idx(name: string): number {
    const i = this.locals.get(name);
    if (i === undefined) throw new Error(`wasm assembler: unknown local ${name} in ${this.name}`);
    return i;
  }
  get(name: string): Code {
    return [0x20, ...uleb(this.idx(name))];
  }
  set(name: string, value: Code): Code {
    return [...value, 0x21, ...uleb(this.idx(name))];
  }
  /** `for (v = from; v < to; v += step) body` as block/loop (skips when from ≥ to). */
  for(v: string, from: Code, to: Code, step: number, ...body: Code[]): Code {
    return cat(
      this.set(v, from),
      [0x02, 0x40], // block
      this.get(v), to, [0x4e, 0x0d, 0], // i32.ge_s; br_if 0
      [0x03, 0x40], // loop
      ...body,
      this.set(v, cat(this.get(v), i32(step), [0x6a])),
      this.get(v), to, [0x48, 0x0d, 0], // i32.lt_s; br_if 0 (loop)
      [0x0b, 0x0b],
    );
  }
  /** `if (cond) then else otherwise` (statements, no value). */
  ifElse(cond: Code, then: Code, otherwise: Code): Code {
    return cat(cond, [0x04, 0x40], then, [0x05], otherwise, [0x0b]);
  }
  /** Encoded function body (locals + code + end). */
  encode(): Code {
    const groups: Code = [];
    for (const t of this.extra) groups.push(1, t);
    const body = cat(uleb(this.extra.length), groups, this.body, [0x0b]);
    return cat(uleb(body.length), body);
  }
}

// ---- instructions --------------------------------------------------------------------------------
export const i32 = (v: number): Code => [0x41, ...sleb(v | 0)];
export const i64 = (v: number): Code => [0x42, ...sleb(v)];
const bin = (op: number) => (a: Code, b: Code): Code => cat(a, b, [op]);
export const or = bin(0x72);
export const eqz = (a: Code): Code => cat(a, [0x45]);
export const add = bin(0x6a), sub = bin(0x6b), mul = bin(0x6c), divS = bin(0x6d), and = bin(0x71), shl = bin(0x74), shrS = bin(0x75);
export const ltS = bin(0x48), gtS = bin(0x4a), eq = bin(0x46), geS = bin(0x4e), minS = (a: Code, b: Code): Code =>
  select(a, b, ltS(a, b)), maxS = (a: Code, b: Code): Code => select(a, b, gtS(a, b));
export const add64 = bin(0x7c), mul64 = bin(0x7e), divS64 = bin(0x7f);
export const geS64 = (a: Code, b: Code): Code => cat(a, b, [0x59]);
export const ltS64 = (a: Code, b: Code): Code => cat(a, b, [0x53]);
export const shrS64 = (a: Code, b: Code): Code => cat(a, b, [0x87]);
export const extendS = (a: Code): Code => cat(a, [0xac]);
export const wrap = (a: Code): Code => cat(a, [0xa7]);
/** `select(a, b, cond)`: a if cond else b. */
export const select = (a: Code, b: Code, cond: Code): Code => cat(a, b, cond, [0x1b]);
const mem = (align: number, offset = 0): Code => [...uleb(align), ...uleb(offset)];
export const load32 = (addr: Code): Code => cat(addr, [0x28], mem(2));
export const load8s = (addr: Code): Code => cat(addr, [0x2c], mem(0));
export const store32 = (addr: Code, v: Code): Code => cat(addr, v, [0x36], mem(2));
export const store16 = (addr: Code, v: Code): Code => cat(addr, v, [0x3b], mem(1));
export const store64 = (addr: Code, v: Code): Code => cat(addr, v, [0x37], mem(3));
export const store8 = (addr: Code, v: Code): Code => cat(addr, v, [0x3a], mem(0));
export const call = (fn: number, ...args: Code[]): Code => cat(...args, [0x10], uleb(fn));
export const memoryFill = (dst: Code, value: Code, n: Code): Code => cat(dst, value, n, [0xfc, ...uleb(11), 0x00]);
export const ret = (v: Code): Code => cat(v, [0x0f]);
// SIMD (0xfd prefix)
const simd = (op: number): Code => [0xfd, ...uleb(op)];
export const v128Load = (addr: Code, offset = 0): Code => cat(addr, simd(0x00), mem(0, offset));
export const v128Load8x8S = (addr: Code, offset = 0): Code => cat(addr, simd(0x01), mem(0, offset));
export const v128Store = (addr: Code, v: Code, offset = 0): Code => cat(addr, v, simd(0x0b), mem(0, offset));
export const i16x8Splat = (v: Code): Code => cat(v, simd(0x10));
export const i16x8Add = (a: Code, b: Code): Code => cat(a, b, simd(0x8e));
export const i64x2Splat = (v: Code): Code => cat(v, simd(0x12));
export const v128And = (a: Code, b: Code): Code => cat(a, b, simd(0x4e));
/** v128.bitselect: bits of `a` where `mask` is 1, of `b` elsewhere. */
export const v128Bitselect = (a: Code, b: Code, mask: Code): Code => cat(a, b, mask, simd(0x52));
export const i8x16NarrowI16x8S = (a: Code, b: Code): Code => cat(a, b, simd(0x65));
export const i16x8NarrowI32x4S = (a: Code, b: Code): Code => cat(a, b, simd(0x85));
export const i32x4Mul = (a: Code, b: Code): Code => cat(a, b, simd(0xb5));
export const i32x4MinS = (a: Code, b: Code): Code => cat(a, b, simd(0xb6));
export const i32x4MaxS = (a: Code, b: Code): Code => cat(a, b, simd(0xb8));
export const i64x2ShrS = (a: Code, n: Code): Code => cat(a, n, simd(0xcc));
export const i64x2Shl = (a: Code, n: Code): Code => cat(a, n, simd(0xcb));
export const i32x4ShrS = (a: Code, n: Code): Code => cat(a, n, simd(0xac));
export const v128Load16Splat = (addr: Code, offset = 0): Code => cat(addr, simd(0x08), mem(0, offset));
export const v128Load32Splat = (addr: Code, offset = 0): Code => cat(addr, simd(0x09), mem(0, offset));
export const i64x2Add = (a: Code, b: Code): Code => cat(a, b, simd(0xce));
export const i64x2Sub = (a: Code, b: Code): Code => cat(a, b, simd(0xd1));
export const i64x2Mul = (a: Code, b: Code): Code => cat(a, b, simd(0xd5));
export const i64x2LtS = (a: Code, b: Code): Code => cat(a, b, simd(0xd8));
export const i64x2ExtmulLowI32x4S = (a: Code, b: Code): Code => cat(a, b, simd(0xdc));
export const i64x2ExtmulHighI32x4S = (a: Code, b: Code): Code => cat(a, b, simd(0xdd));
export const i32x4Splat = (v: Code): Code => cat(v, simd(0x11));
export const i64x2ExtractLane = (v: Code, lane: number): Code => cat(v, simd(0x1d), [lane]);
export const i32x4ExtractLane = (v: Code, lane: number): Code => cat(v, simd(0x1b), [lane]);
/** i8x16.shuffle expressed on 32-bit lanes: lanes 0–3 from `a`, 4–7 from `b`. */
export const i32x4Shuffle = (a: Code, b: Code, lanes: [number, number, number, number]): Code =>
  cat(a, b, simd(0x0d), lanes.flatMap((l) => [4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3]));
/** i8x16.shuffle expressed on 16-bit lanes: lanes 0–7 from `a`, 8–15 from `b`. */
export const i16x8Shuffle = (a: Code, b: Code, lanes: number[]): Code =>
  cat(a, b, simd(0x0d), lanes.flatMap((l) => [2 * l, 2 * l + 1]));
export const i32x4Add = (a: Code, b: Code): Code => cat(a, b, simd(0xae));
export const i32x4DotI16x8S = (a: Code, b: Code): Code => cat(a, b, simd(0xba));
export const i32x4ExtmulLowI16x8S = (a: Code, b: Code): Code => cat(a, b, simd(0xbc));
export const i32x4ExtmulHighI16x8S = (a: Code, b: Code): Code => cat(a, b, simd(0xbd));

function section(id: number, content: Code): Code {
  return cat([id], uleb(content.length), content);
}

function vec(items: Code[]): Code {
  return cat(uleb(items.length), ...items);
}

function name(s: string): Code {
  const b = Array.from(new TextEncoder().encode(s));
  return cat(uleb(b.length), b);
}

/** Encode a module that imports `env.memory` and exports every function by name. */
export function encodeModule(funcs: Func[], minPages: number): Uint8Array<ArrayBuffer> {
  const types = funcs.map((f) => cat([0x60], vec(f.paramTypes.map((t) => [t])), f.result === null ? [0] : [1, f.result]));
  const bytes = cat(
    [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    section(1, vec(types)),
    section(2, vec([cat(name("env"), name("memory"), [0x02, 0x00], uleb(minPages))])),
    section(3, vec(funcs.map((_, i) => uleb(i)))),
    section(7, vec(funcs.map((f, i) => cat(name(f.name), [0x00], uleb(i))))),
    section(10, vec(funcs.map((f) => f.encode()))),
  );
  return new Uint8Array(bytes);
}
