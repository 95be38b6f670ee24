import { existsSync, readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import {
  BOARD_IDS,
  BOARDS,
  checkFits,
  DoesNotFitError,
  getBoard,
  UnknownBoardError,
} from "../../lib/deploy/arduino/mod.ts";

describe("board presets", () => {
  test("every preset is self-consistent", () => {
    for (const id of BOARD_IDS) {
      const b = BOARDS[id];
      expect(b.id).toBe(id);
      expect(b.fqbn.split(":").length).toBeGreaterThanOrEqual(3);
      expect(b.usableFlashBytes).toBeLessThanOrEqual(b.flashBytes);
      expect(b.usableFlashBytes).toBeGreaterThan(0);
      expect(b.ramBytes).toBeGreaterThan(0);
      expect(b.clockHz).toBeGreaterThanOrEqual(16_000_000);
    }
  });

  test("documented figures", () => {
    expect(BOARDS.nano33ble).toMatchObject({ fqbn: "arduino:mbed_nano:nano33ble", flashBytes: 1048576, ramBytes: 262144, clockHz: 64e6, cpu: "Cortex-M4F", fpu: true });
    expect(BOARDS["nano33ble-rev2"].sensors.join()).toMatch(/BMI270/);
    expect(BOARDS.nano33ble.sensors.join()).toMatch(/LSM9DS1/);
    expect(BOARDS.uno).toMatchObject({ fqbn: "arduino:avr:uno", flashBytes: 32768, ramBytes: 2048, clockHz: 16e6, debianFqbn: "arduino:avr:uno" });
    expect(BOARDS.mega2560).toMatchObject({ fqbn: "arduino:avr:mega:cpu=atmega2560", flashBytes: 262144, ramBytes: 8192 });
    expect(BOARDS.nano.fqbn).toBe("arduino:avr:nano:cpu=atmega328");
    expect(BOARDS.esp32.fqbn).toBe("esp32:esp32:esp32");
    expect(BOARDS.pico.altFqbns).toContain("arduino:mbed_rp2040:pico");
  });

  // The usable sizes must agree with the AVR core's own boards.txt when Debian's core is installed.
  const boardsTxt = "/usr/share/arduino/hardware/arduino/avr/boards.txt";
  describe.skipIf(!existsSync(boardsTxt))("AVR presets match boards.txt", () => {
    const txt = existsSync(boardsTxt) ? readFileSync(boardsTxt, "utf8") : "";
    const prop = (key: string) => Number(new RegExp(`^${key.replace(/\./g, "\\.")}=(\\d+)`, "m").exec(txt)?.[1]);
    test.each([
      ["uno", "uno.upload.maximum_size", "uno.upload.maximum_data_size"],
      ["mega2560", "mega.menu.cpu.atmega2560.upload.maximum_size", "mega.upload.maximum_data_size"],
      ["nano", "nano.menu.cpu.atmega328.upload.maximum_size", "nano.menu.cpu.atmega328.upload.maximum_data_size"],
    ] as const)("%s", (id, flashKey, ramKey) => {
      expect(BOARDS[id].usableFlashBytes).toBe(prop(flashKey));
      expect(BOARDS[id].ramBytes).toBe(prop(ramKey));
    });
  });
  if (!existsSync(boardsTxt)) console.warn(`skipping boards.txt cross-check: ${boardsTxt} absent (apt-get install arduino-core-avr)`);

  test("getBoard by id, FQBN and alias", () => {
    expect(getBoard("uno").id).toBe("uno");
    expect(getBoard("arduino:avr:mega:cpu=atmega2560").id).toBe("mega2560");
    expect(getBoard("arduino:mbed_rp2040:pico").id).toBe("pico");
    expect(getBoard(BOARDS.esp32)).toBe(BOARDS.esp32);
    expect(() => getBoard("arduino:avr:leonardo")).toThrow(UnknownBoardError);
  });
});

describe("checkFits", () => {
  test("a model that fits reports the room left", () => {
    const r = checkFits("uno", { flashBytes: 20_000, ramBytes: 1_000 });
    expect(r.flashFree).toBe(32_256 - 20_000);
    expect(r.ramFree).toBe(1_048);
    expect(r.flashUsed).toBeCloseTo(20_000 / 32_256);
  });

  test("too much flash: numbers and suggestions in the error", () => {
    let err: unknown;
    try {
      checkFits("uno", { flashBytes: 41 * 1024, ramBytes: 900 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DoesNotFitError);
    const e = err as DoesNotFitError;
    expect(e.message).toMatch(/needs 41 KB flash, Arduino Uno \(R3\) has 31\.5 KB/);
    expect(e.message).not.toMatch(/RAM/);
    expect(e.need.flashBytes).toBe(41 * 1024);
    expect(e.have.flashBytes).toBe(32_256);
    expect(e.message).toMatch(/Mega 2560/);
  });

  test("too much RAM, and a reserve for the core", () => {
    expect(() => checkFits("mega2560", { flashBytes: 1000, ramBytes: 9000 })).toThrow(/needs 8\.8 KB RAM/);
    expect(() => checkFits("uno", { flashBytes: 31_000, ramBytes: 100 })).not.toThrow();
    expect(() => checkFits("uno", { flashBytes: 31_000, ramBytes: 100 }, { reserve: { flashBytes: 2048 } })).toThrow(DoesNotFitError);
  });

  test("a 300 KB model fits the Nano 33 BLE but no AVR", () => {
    const need = { flashBytes: 300 * 1024, ramBytes: 100 * 1024 };
    expect(() => checkFits("nano33ble", need)).not.toThrow();
    for (const id of ["uno", "nano", "mega2560"]) expect(() => checkFits(id, need)).toThrow(DoesNotFitError);
  });
});
