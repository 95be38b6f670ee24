/**
 * Run AVR firmware (an Arduino sketch's .hex) in avr8js, cycle-exact, and capture what it prints on Serial.
 *
 * Serial (USART0), timer0 (millis/delay) and the CPU are simulated; other peripherals are not. The ATmega2560
 * has the same register addresses for these as the ATmega328P but a longer interrupt vector table (so other
 * vector addresses), 256 KB flash (3-byte return addresses; avr8js switches to a 22-bit PC by flash size) and
 * 8 KB SRAM that starts at 0x200 instead of 0x100.
 */
import { readFileSync } from "node:fs";
import {
  AVRTimer,
  AVRUSART,
  CPU,
  avrInstruction,
  portBConfig,
  portDConfig,
  portGConfig,
  timer0Config,
  usart0Config,
  type AVRTimerConfig,
} from "avr8js";
import { parseIntelHex } from "./intelhex.ts";

/** MCUs the runner knows. */
export type AvrMcu = "atmega328p" | "atmega2560";

/** Chip facts avr8js needs. Interrupt addresses are word addresses (vector number × 2). */
export interface AvrMcuConfig {
  flashBytes: number;
  /** avr8js `sramBytes`: data space after the first 0x100 bytes, so RAMEND = sramBytes + 0xFF. */
  sramBytes: number;
  timer0: AVRTimerConfig;
  usart0: typeof usart0Config;
}

/** Timer0 and USART0 for both chips. */
export const AVR_MCUS: Readonly<Record<AvrMcu, AvrMcuConfig>> = {
  atmega328p: {
    flashBytes: 32 * 1024,
    sramBytes: 2048, // RAMEND 0x08FF
    timer0: timer0Config,
    usart0: usart0Config,
  },
  atmega2560: {
    flashBytes: 256 * 1024,
    sramBytes: 0x2200 - 0x100, // SRAM 0x0200..0x21FF: RAMEND 0x21FF
    timer0: {
      ...timer0Config,
      compAInterrupt: 0x2a, // TIMER0_COMPA_vect 21
      compBInterrupt: 0x2c, // TIMER0_COMPB_vect 22
      ovfInterrupt: 0x2e, // TIMER0_OVF_vect 23
      compPortA: portBConfig.PORT, // OC0A = PB7
      compPinA: 7,
      compPortB: portGConfig.PORT, // OC0B = PG5
      compPinB: 5,
      externalClockPort: portDConfig.PORT, // T0 = PD7
      externalClockPin: 7,
    },
    usart0: {
      ...usart0Config,
      rxCompleteInterrupt: 0x32, // USART0_RX_vect 25
      dataRegisterEmptyInterrupt: 0x34, // USART0_UDRE_vect 26
      txCompleteInterrupt: 0x36, // USART0_TX_vect 27
    },
  },
};

/** Options for {@link runAvr}. */
export interface RunAvrOptions {
  mcu?: AvrMcu;
  clockHz?: number;
  /** Stop after this many CPU cycles (default 160 M = 10 s of a 16 MHz chip). */
  maxCycles?: number;
  /** Stop once a complete line equal to this has been printed (default "END"; null: run to maxCycles). */
  until?: string | null;
  /** Called for each byte the firmware sends. */
  onByte?: (byte: number) => void;
  /** Called after each instruction with its word address and the cycles it took (a profiler's hook). */
  onInstruction?: (pc: number, cycles: number) => void;
}

/** What the firmware printed and how long it ran. */
export interface AvrRun {
  /** Serial output as text (Latin-1: one char per byte). */
  output: string;
  /** CPU cycles executed (at clockHz: seconds = cycles / clockHz). */
  cycles: number;
  /** Why the run ended. */
  stoppedBy: "marker" | "cycle-limit" | "sleep";
  wallMs: number;
}

/**
 * Run an Intel HEX image (text or a path to a .hex file) until the marker line or the cycle limit.
 * @example
 * const r = runAvr(readFileSync("build/sketch.ino.hex", "utf8"), { mcu: "atmega328p" });
 * r.output // "SUM 1234\r\nEND\r\n"
 */
export function runAvr(hex: string, options: RunAvrOptions = {}): AvrRun {
  const text = hex.trimStart().startsWith(":") ? hex : readFileSync(hex, "utf8");
  const chip = AVR_MCUS[options.mcu ?? "atmega328p"];
  const image = parseIntelHex(text, chip.flashBytes);
  const program = new Uint16Array(image.buffer, image.byteOffset, image.byteLength / 2);
  const cpu = new CPU(program, chip.sramBytes);
  new AVRTimer(cpu, chip.timer0);
  const usart = new AVRUSART(cpu, chip.usart0, options.clockHz ?? 16_000_000);

  const until = options.until === undefined ? "END" : options.until;
  const maxCycles = options.maxCycles ?? 160_000_000;
  let output = "";
  let line = "";
  let marker = false;
  usart.onByteTransmit = (byte: number) => {
    options.onByte?.(byte);
    const ch = String.fromCharCode(byte);
    output += ch;
    if (ch === "\n") {
      if (until !== null && line.replace(/\r$/, "") === until) marker = true;
      line = "";
    } else {
      line += ch;
    }
  };

  const onInstruction = options.onInstruction;
  const started = Date.now();
  let stoppedBy: AvrRun["stoppedBy"] = "cycle-limit";
  while (cpu.cycles < maxCycles) {
    // Inner batch keeps the loop test cheap; the marker flag is checked after every instruction.
    const batchEnd = Math.min(cpu.cycles + 100_000, maxCycles);
    while (cpu.cycles < batchEnd && !marker) {
      const interruptsWereOn = cpu.interruptsEnabled;
      if (onInstruction) {
        const pc = cpu.pc, before = cpu.cycles;
        avrInstruction(cpu);
        onInstruction(pc, cpu.cycles - before);
      } else {
        avrInstruction(cpu);
      }
      // A real AVR runs one more instruction after SEI (or `out SREG` setting I) before taking an interrupt;
      // avr-gcc relies on it when it moves the stack pointer (`out SPH; out SREG; out SPL`). avr8js 0.21 does
      // not, and a timer interrupt landing there corrupts the stack, so run that instruction here.
      if (!interruptsWereOn && cpu.interruptsEnabled) avrInstruction(cpu);
      cpu.tick();
    }
    if (marker) {
      stoppedBy = "marker";
      break;
    }
    // SLEEP with interrupts off never wakes: avr8js treats SLEEP as a no-op, so look for `cli; sleep` loops.
    if (!cpu.interruptsEnabled && isSleepLoop(cpu)) {
      stoppedBy = "sleep";
      break;
    }
  }
  return { output, cycles: cpu.cycles, stoppedBy, wallMs: Date.now() - started };
}

/** True when the CPU sits on a SLEEP (0x9588) or a jump-to-self (RJMP .-2, 0xCFFF): the program is done. */
function isSleepLoop(cpu: CPU): boolean {
  const op = cpu.progMem[cpu.pc];
  return op === 0x9588 || op === 0xcfff;
}
