/**
 * Where an AVR program spends its cycles, per function: runs a firmware .elf in avr8js and attributes each
 * instruction's cycles to the symbol that holds its address (avr-nm). For finding the next thing to speed up
 * in the generated kernels (bench/deploy.ts measures them).
 *
 *   node_modules/.bin/deno run -A bench/avr_profile.ts firmware.elf [atmega328p|atmega2560] [top]
 *
 * @module
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { runAvr } from "../lib/deploy/emulate/mod.ts";

/** Cycles per function symbol of one run of `elf` (its .hex is made with avr-objcopy next to it). */
export function profileAvr(elf: string, mcu: "atmega328p" | "atmega2560" = "atmega328p"): { symbol: string; cycles: number }[] {
  const nm = spawnSync("avr-nm", ["-S", "-n", "--defined-only", elf], { encoding: "utf8" });
  if (nm.status !== 0) throw new Error(`avr-nm failed: ${nm.stderr}`);
  const symbols = nm.stdout.split("\n").map((l) => l.trim().split(/\s+/)).filter((f) => f.length === 4 && /[tTwW]/.test(f[2]))
    .map(([addr, size, , name]) => ({ start: parseInt(addr, 16), end: parseInt(addr, 16) + parseInt(size, 16), name }));
  const hex = elf.replace(/\.elf$/, "") + ".profile.hex";
  const oc = spawnSync("avr-objcopy", ["-O", "ihex", "-R", ".eeprom", elf, hex], { encoding: "utf8" });
  if (oc.status !== 0) throw new Error(`avr-objcopy failed: ${oc.stderr}`);
  const perWord = new Map<number, number>();
  runAvr(readFileSync(hex, "utf8"), { mcu, maxCycles: 400_000_000, onInstruction: (pc, c) => perWord.set(pc, (perWord.get(pc) ?? 0) + c) });
  const totals = new Map<string, number>();
  for (const [pc, c] of perWord) {
    const byte = pc * 2;
    const sym = symbols.find((s) => byte >= s.start && byte < s.end)?.name ?? "(other)";
    totals.set(sym, (totals.get(sym) ?? 0) + c);
  }
  return [...totals].map(([symbol, cycles]) => ({ symbol, cycles })).sort((a, b) => b.cycles - a.cycles);
}

if (import.meta.main) {
  const [elf, mcu = "atmega328p", top = "15"] = Deno.args;
  const rows = profileAvr(elf, mcu as "atmega328p" | "atmega2560");
  const total = rows.reduce((n, r) => n + r.cycles, 0);
  console.log(`${total} cycles`);
  for (const r of rows.slice(0, Number(top))) console.log(`${String(r.cycles).padStart(10)}  ${(100 * r.cycles / total).toFixed(1).padStart(5)} %  ${r.symbol}`);
}
