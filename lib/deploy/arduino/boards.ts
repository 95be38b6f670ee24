/**
 * Board presets: the numbers that decide whether a model fits, and how each board is built here.
 *
 * Figures come from the vendors' datasheets and from the `upload.maximum_size` / `upload.maximum_data_size`
 * entries of each core's boards.txt (the "usable" numbers: flash left after the bootloader).
 */
import { UnknownBoardError } from "./errors.ts";

/** Preset ids. */
export type BoardId =
  | "nano33ble"
  | "nano33ble-rev2"
  | "uno"
  | "mega2560"
  | "nano"
  | "nano-rp2040-connect"
  | "esp32"
  | "pico";

/** How firmware for this board can be run without hardware. */
export type EmulatorKind = "avr8js-atmega328p" | "avr8js-atmega2560" | "qemu-cortex-m4" | "none";

/** One board. Sizes are bytes, clock is Hz. */
export interface BoardPreset {
  id: BoardId;
  name: string;
  /** The FQBN arduino-cli uses. */
  fqbn: string;
  /** Other FQBNs that build this board (another core). */
  altFqbns: readonly string[];
  /** FQBN for Debian's arduino-builder + arduino-core-avr, or null when that core cannot build it. */
  debianFqbn: string | null;
  /** The arduino-cli core to install (`arduino-cli core install …`). */
  core: string;
  mcu: string;
  arch: "avr" | "arm" | "xtensa";
  cpu: string;
  clockHz: number;
  /** Total flash of the chip (or the board's flash chip). */
  flashBytes: number;
  /** Flash a sketch may use: total minus bootloader (and minus reserved areas). */
  usableFlashBytes: number;
  ramBytes: number;
  eepromBytes: number;
  /** Hardware single-precision FPU. */
  fpu: boolean;
  sensors: readonly string[];
  emulator: EmulatorKind;
  notes: string;
}

const KB = 1024;
const MB = 1024 * 1024;

const NANO33_NOTES =
  "nRF52840; the Arduino bootloader takes 64 KB, so boards.txt allows 983040 bytes for a sketch. " +
  "The mbed OS core itself uses ~80 KB flash and ~45 KB RAM before your code.";

/** All presets, keyed by id. */
export const BOARDS: Readonly<Record<BoardId, BoardPreset>> = {
  "nano33ble": {
    id: "nano33ble",
    name: "Arduino Nano 33 BLE Sense (rev1)",
    fqbn: "arduino:mbed_nano:nano33ble",
    altFqbns: ["arduino:mbed:nano33ble"],
    debianFqbn: null,
    core: "arduino:mbed_nano",
    mcu: "nRF52840",
    arch: "arm",
    cpu: "Cortex-M4F",
    clockHz: 64_000_000,
    flashBytes: 1 * MB,
    usableFlashBytes: 983_040,
    ramBytes: 256 * KB,
    eepromBytes: 0,
    fpu: true,
    sensors: [
      "LSM9DS1 9-axis IMU",
      "MP34DT05 PDM microphone",
      "APDS-9960 gesture/proximity/light/colour",
      "LPS22HB barometric pressure",
      "HTS221 temperature/humidity",
    ],
    emulator: "qemu-cortex-m4",
    notes: NANO33_NOTES,
  },
  "nano33ble-rev2": {
    id: "nano33ble-rev2",
    name: "Arduino Nano 33 BLE Sense Rev2",
    fqbn: "arduino:mbed_nano:nano33ble",
    altFqbns: ["arduino:mbed:nano33ble"],
    debianFqbn: null,
    core: "arduino:mbed_nano",
    mcu: "nRF52840",
    arch: "arm",
    cpu: "Cortex-M4F",
    clockHz: 64_000_000,
    flashBytes: 1 * MB,
    usableFlashBytes: 983_040,
    ramBytes: 256 * KB,
    eepromBytes: 0,
    fpu: true,
    sensors: [
      "BMI270 6-axis IMU + BMM150 magnetometer",
      "MP34DT06JTR PDM microphone",
      "APDS-9960 gesture/proximity/light/colour",
      "LPS22HB barometric pressure",
      "HS3003 temperature/humidity",
    ],
    emulator: "qemu-cortex-m4",
    notes: NANO33_NOTES + " Rev2 uses the same FQBN as rev1; the sensor libraries differ (Arduino_BMI270_BMM150, Arduino_HS300x).",
  },
  "uno": {
    id: "uno",
    name: "Arduino Uno (R3)",
    fqbn: "arduino:avr:uno",
    altFqbns: [],
    debianFqbn: "arduino:avr:uno",
    core: "arduino:avr",
    mcu: "ATmega328P",
    arch: "avr",
    cpu: "AVR8",
    clockHz: 16_000_000,
    flashBytes: 32 * KB,
    usableFlashBytes: 32_256, // optiboot takes 512 bytes
    ramBytes: 2 * KB,
    eepromBytes: 1 * KB,
    fpu: false,
    sensors: [],
    emulator: "avr8js-atmega328p",
    notes: "Optiboot bootloader takes 512 bytes of the 32 KB flash. No FPU: float maths is done in software.",
  },
  "mega2560": {
    id: "mega2560",
    name: "Arduino Mega 2560",
    fqbn: "arduino:avr:mega:cpu=atmega2560",
    altFqbns: ["arduino:avr:mega"],
    debianFqbn: "arduino:avr:mega:cpu=atmega2560",
    core: "arduino:avr",
    mcu: "ATmega2560",
    arch: "avr",
    cpu: "AVR8 (3-byte PC)",
    clockHz: 16_000_000,
    flashBytes: 256 * KB,
    usableFlashBytes: 253_952, // stk500v2 bootloader takes 8 KB
    ramBytes: 8 * KB,
    eepromBytes: 4 * KB,
    fpu: false,
    sensors: [],
    emulator: "avr8js-atmega2560",
    notes: "The stk500v2 bootloader takes 8 KB. PROGMEM data above 64 KB needs pgm_read_*_far.",
  },
  "nano": {
    id: "nano",
    name: "Arduino Nano (ATmega328P)",
    fqbn: "arduino:avr:nano:cpu=atmega328",
    altFqbns: ["arduino:avr:nano:cpu=atmega328old"],
    debianFqbn: "arduino:avr:nano:cpu=atmega328",
    core: "arduino:avr",
    mcu: "ATmega328P",
    arch: "avr",
    cpu: "AVR8",
    clockHz: 16_000_000,
    flashBytes: 32 * KB,
    usableFlashBytes: 30_720, // boards.txt reserves 2 KB for the bootloader
    ramBytes: 2 * KB,
    eepromBytes: 1 * KB,
    fpu: false,
    sensors: [],
    emulator: "avr8js-atmega328p",
    notes: "Same chip as the Uno; boards.txt reserves 2 KB for the bootloader (cpu=atmega328old for the old one).",
  },
  "nano-rp2040-connect": {
    id: "nano-rp2040-connect",
    name: "Arduino Nano RP2040 Connect",
    fqbn: "arduino:mbed_nano:nanorp2040connect",
    altFqbns: ["rp2040:rp2040:arduino_nano_connect"],
    debianFqbn: null,
    core: "arduino:mbed_nano",
    mcu: "RP2040",
    arch: "arm",
    cpu: "dual Cortex-M0+",
    clockHz: 133_000_000,
    flashBytes: 16 * MB,
    usableFlashBytes: 16 * MB,
    ramBytes: 264 * KB,
    eepromBytes: 0,
    fpu: false,
    sensors: ["LSM6DSOX 6-axis IMU (with machine-learning core)", "MP34DT06JTR PDM microphone", "u-blox NINA-W102 Wi-Fi/Bluetooth"],
    emulator: "none",
    notes: "16 MB QSPI flash on the board; the RP2040 boots from ROM, so no flash is lost to a bootloader. No FPU.",
  },
  "esp32": {
    id: "esp32",
    name: "ESP32 Dev Module",
    fqbn: "esp32:esp32:esp32",
    altFqbns: [],
    debianFqbn: null,
    core: "esp32:esp32",
    mcu: "ESP32 (ESP32-D0WD)",
    arch: "xtensa",
    cpu: "dual Xtensa LX6",
    clockHz: 240_000_000,
    flashBytes: 4 * MB,
    usableFlashBytes: 1_310_720, // default partition scheme: 1.25 MB app partition
    ramBytes: 327_680, // boards.txt maximum_data_size; the chip has 520 KB SRAM in all
    eepromBytes: 0,
    fpu: true,
    sensors: ["hall sensor", "capacitive touch pins", "Wi-Fi/Bluetooth"],
    emulator: "none",
    notes: "Core from https://espressif.github.io/arduino-esp32/package_esp32_index.json. Flash figure is the default " +
      "partition scheme's app size; choose another PartitionScheme for bigger models.",
  },
  "pico": {
    id: "pico",
    name: "Raspberry Pi Pico",
    fqbn: "rp2040:rp2040:rpipico",
    altFqbns: ["arduino:mbed_rp2040:pico"],
    debianFqbn: null,
    core: "rp2040:rp2040",
    mcu: "RP2040",
    arch: "arm",
    cpu: "dual Cortex-M0+",
    clockHz: 133_000_000,
    flashBytes: 2 * MB,
    usableFlashBytes: 2 * MB, // boots from ROM; a LittleFS partition, if chosen, comes off this
    ramBytes: 264 * KB,
    eepromBytes: 0,
    fpu: false,
    sensors: ["on-chip temperature sensor"],
    emulator: "none",
    notes: "rp2040:rp2040 is the community core (board manager URL https://github.com/earlephilhower/arduino-pico/releases/download/global/package_rp2040_index.json); " +
      "arduino:mbed_rp2040:pico is Arduino's mbed core.",
  },
};

/** The preset ids, in a stable order. */
export const BOARD_IDS: readonly BoardId[] = Object.keys(BOARDS) as BoardId[];

/**
 * Look up a board by id or FQBN (FQBN lookups return the first preset that uses it).
 * @example getBoard("uno").usableFlashBytes // 32256
 */
export function getBoard(idOrFqbn: string | BoardPreset): BoardPreset {
  if (typeof idOrFqbn !== "string") return idOrFqbn;
  const byId = (BOARDS as Record<string, BoardPreset>)[idOrFqbn];
  if (byId) return byId;
  const byFqbn = BOARD_IDS.map((id) => BOARDS[id]).find(
    (b) => b.fqbn === idOrFqbn || b.altFqbns.includes(idOrFqbn) || b.debianFqbn === idOrFqbn,
  );
  if (byFqbn) return byFqbn;
  throw new UnknownBoardError(idOrFqbn, BOARD_IDS);
}
