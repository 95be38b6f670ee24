/**
 * Will it fit? Refuse a model before spending minutes compiling it for a board that cannot hold it.
 */
import { BOARD_IDS, BOARDS, getBoard, type BoardPreset } from "./boards.ts";
import { DoesNotFitError } from "./errors.ts";

/** Bytes a model (or a whole sketch) needs. */
export interface MemoryNeed {
  /** Flash: weights, code, constant tables. */
  flashBytes: number;
  /** RAM: tensor arena, buffers, globals. */
  ramBytes: number;
}

/** Room left after a successful check. */
export interface FitReport {
  board: BoardPreset;
  flashFree: number;
  ramFree: number;
  /** Fraction of usable flash / RAM used, 0..1. */
  flashUsed: number;
  ramUsed: number;
}

/** Options for {@link checkFits}. */
export interface CheckFitsOptions {
  /** Space the board's core and runtime take before your model (e.g. { flashBytes: 2048, ramBytes: 200 } for the AVR core). */
  reserve?: Partial<MemoryNeed>;
}

/**
 * Check a memory need against a board's usable flash and RAM; throw DoesNotFitError (with the numbers and
 * boards that would fit) when it does not.
 * @example
 * checkFits("uno", { flashBytes: 41_000, ramBytes: 900 });
 * // DoesNotFitError: does not fit: needs 40 KB flash, Arduino Uno (R3) has 31.5 KB; try a board with more memory: Arduino Mega 2560 …
 */
export function checkFits(board: string | BoardPreset, need: MemoryNeed, options: CheckFitsOptions = {}): FitReport {
  const b = getBoard(board);
  const flashHave = b.usableFlashBytes - (options.reserve?.flashBytes ?? 0);
  const ramHave = b.ramBytes - (options.reserve?.ramBytes ?? 0);
  if (need.flashBytes > flashHave || need.ramBytes > ramHave) {
    throw new DoesNotFitError(b.name, need, { flashBytes: flashHave, ramBytes: ramHave }, suggestFor(b, need, options));
  }
  return {
    board: b,
    flashFree: flashHave - need.flashBytes,
    ramFree: ramHave - need.ramBytes,
    flashUsed: need.flashBytes / flashHave,
    ramUsed: need.ramBytes / ramHave,
  };
}

/** Suggestions: shrink the model, or boards (smallest first) that hold it. */
function suggestFor(board: BoardPreset, need: MemoryNeed, options: CheckFitsOptions): string[] {
  const out: string[] = ["quantizing the weights to int8 (4× smaller than float32)", "fewer or narrower layers"];
  const fits = BOARD_IDS.map((id) => BOARDS[id])
    .filter((b) => b.id !== board.id)
    .filter((b) =>
      need.flashBytes <= b.usableFlashBytes - (options.reserve?.flashBytes ?? 0) &&
      need.ramBytes <= b.ramBytes - (options.reserve?.ramBytes ?? 0)
    )
    .sort((a, b) => a.usableFlashBytes - b.usableFlashBytes || a.ramBytes - b.ramBytes)
    .filter((b, i, all) => all.findIndex((o) => o.name === b.name) === i)
    .slice(0, 3);
  if (fits.length) out.push(`a board with more memory: ${fits.map((b) => `${b.name} (${b.id})`).join(", ")}`);
  return out;
}
