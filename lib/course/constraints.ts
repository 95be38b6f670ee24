/**
 * TinyML constraints as numbers: the boards' memory and clock (from lib/deploy/arduino's presets), battery
 * life from a duty cycle, and the cost of sending data to the cloud versus deciding on the device.
 */
import { BOARD_IDS, BOARDS, type BoardId } from "../deploy/arduino/boards.ts";

/** One row of {@link boardTable}. */
export interface BoardRow {
  id: BoardId;
  name: string;
  mcu: string;
  cpu: string;
  clockMHz: number;
  /** Usable flash (after the bootloader), bytes. */
  flashBytes: number;
  ramBytes: number;
  fpu: boolean;
}

/** The board presets as table rows (optionally only some ids, in that order). */
export function boardTable(ids: readonly BoardId[] = BOARD_IDS): BoardRow[] {
  return ids.map((id) => {
    const b = BOARDS[id];
    return { id, name: b.name, mcu: b.mcu, cpu: b.cpu, clockMHz: b.clockHz / 1e6, flashBytes: b.usableFlashBytes, ramBytes: b.ramBytes, fpu: b.fpu };
  });
}

function kb(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1048576).toFixed(n % 1048576 ? 2 : 0)} MB` : `${+(n / 1024).toFixed(1)} KB`;
}

/** {@link boardTable} as aligned text. */
export function formatBoardTable(rows: readonly BoardRow[] = boardTable()): string {
  const head = ["board", "MCU", "CPU", "clock", "flash", "RAM", "FPU"];
  const body = rows.map((r) => [r.name, r.mcu, r.cpu, `${r.clockMHz} MHz`, kb(r.flashBytes), kb(r.ramBytes), r.fpu ? "yes" : "no"]);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(w[i])).join("  ").trimEnd();
  return [line(head), line(w.map((n) => "-".repeat(n))), ...body.map(line)].join("\n");
}

/** Bad physical input (negative power, duty outside 0..1 …). */
export class ConstraintInputError extends Error {
  override name = "ConstraintInputError";
}

/**
 * Average power of a device that is active a fraction `duty` of the time and asleep otherwise, in mW.
 * @example averagePowerMw(30, 0.01, 0.1) // 0.399
 */
export function averagePowerMw(activeMw: number, sleepMw: number, duty: number): number {
  if (!(duty >= 0 && duty <= 1)) throw new ConstraintInputError(`duty must be a fraction between 0 and 1, got ${duty}`);
  if (activeMw < 0 || sleepMw < 0) throw new ConstraintInputError("power figures must be ≥ 0 mW");
  return duty * activeMw + (1 - duty) * sleepMw;
}

/**
 * Hours a battery lasts: capacity (mAh × volts = mWh) divided by the average power.
 * @param mAh battery capacity, e.g. 225 for a CR2032 coin cell
 * @param activeMw power while computing/sensing
 * @param sleepMw power while asleep
 * @param duty fraction of time active (0..1)
 * @param volts nominal battery voltage (default 3.0, a coin cell; 3.7 for a LiPo)
 * @example batteryLifeHours(225, 30, 0.01, 0.01) // ≈ 2150 h: about three months on a coin cell
 */
export function batteryLifeHours(mAh: number, activeMw: number, sleepMw: number, duty: number, volts = 3.0): number {
  if (mAh <= 0 || volts <= 0) throw new ConstraintInputError("capacity and voltage must be > 0");
  const p = averagePowerMw(activeMw, sleepMw, duty);
  return p === 0 ? Infinity : (mAh * volts) / p;
}

/** Seconds to send `bytes` over a link of `bitsPerSecond` (payload only, no protocol overhead). */
export function transferSeconds(bytes: number, bitsPerSecond: number): number {
  if (bitsPerSecond <= 0) throw new ConstraintInputError("link speed must be > 0 bits per second");
  return (bytes * 8) / bitsPerSecond;
}

/** Input of {@link cloudVsEdge}. */
export interface CloudVsEdgeOptions {
  /** Raw sensor data per decision, bytes (e.g. 1 s of 16 kHz 16-bit audio = 32 000). */
  payloadBytes: number;
  /** Uplink speed, bits per second (e.g. 1e6 for a modest Wi-Fi/LTE link, 5e3 for LoRa-class radios). */
  uplinkBps: number;
  /** Network round-trip time, ms. */
  rttMs: number;
  /** Model time on a server, ms (default 5). */
  cloudInferenceMs?: number;
  /** Model time on the microcontroller, ms. */
  edgeInferenceMs: number;
  /** Bytes the device sends per decision when it decides locally (e.g. 1 for a class id; default 0). */
  edgeReportBytes?: number;
  /** Decisions per day (default 86 400: one a second). */
  decisionsPerDay?: number;
}

/** Result of {@link cloudVsEdge}. */
export interface CloudVsEdge {
  cloudLatencyMs: number;
  edgeLatencyMs: number;
  /** Bytes leaving the device per day. */
  cloudBytesPerDay: number;
  edgeBytesPerDay: number;
  /** cloud latency / edge latency. */
  speedup: number;
}

/**
 * Latency and bandwidth of sending raw data to a server versus running the model on the device.
 * @example cloudVsEdge({ payloadBytes: 32000, uplinkBps: 1e6, rttMs: 80, edgeInferenceMs: 20 }).cloudLatencyMs // 341
 */
export function cloudVsEdge(o: CloudVsEdgeOptions): CloudVsEdge {
  const perDay = o.decisionsPerDay ?? 86_400;
  const cloudLatencyMs = transferSeconds(o.payloadBytes, o.uplinkBps) * 1000 + o.rttMs + (o.cloudInferenceMs ?? 5);
  const edgeLatencyMs = o.edgeInferenceMs;
  return {
    cloudLatencyMs,
    edgeLatencyMs,
    cloudBytesPerDay: o.payloadBytes * perDay,
    edgeBytesPerDay: (o.edgeReportBytes ?? 0) * perDay,
    speedup: cloudLatencyMs / edgeLatencyMs,
  };
}
