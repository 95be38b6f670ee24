/**
 * Running firmware without hardware: AVR sketches in avr8js (or simavr), Cortex-M4 programs in QEMU,
 * and the OUT/END harness convention for reading results back.
 */
export * from "./intelhex.ts";
export * from "./avr.ts";
export * from "./simavr.ts";
export * from "./cortexm4.ts";
export * from "./harness.ts";
