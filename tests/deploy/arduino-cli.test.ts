import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import {
  ArduinoCli,
  CompileError,
  compileSketch,
  parseBoardList,
  parseCompileJson,
  ToolFailedError,
  ToolMissingError,
} from "../../lib/deploy/arduino/mod.ts";
import { CHECKSUM_SKETCH, useTempRoot } from "./arduino-fixtures.ts";

useTempRoot();

// JSON shapes as documented by arduino-cli (compile: PR #1065 / #1608, 1.x builder_result; board list:
// 1.x detected_ports and the older bare array).
const NEW = {
  version: { Application: "arduino-cli", VersionString: "1.1.1", Commit: "fa6eafcb", Status: "alpha", Date: "2024-11-29T09:57:58Z" },
  compile: {
    compiler_out: "Sketch uses 2406 bytes (7%) of program storage space. Maximum is 32256 bytes.\nGlobal variables use 1212 bytes (59%) of dynamic memory, leaving 836 bytes for local variables. Maximum is 2048 bytes.\n",
    compiler_err: "",
    builder_result: {
      build_path: "__BUILD__",
      executable_sections_size: [{ name: "text", size: 2406, max_size: 32256 }, { name: "data", size: 1212, max_size: 2048 }],
      board_platform: { id: "arduino:avr", version: "1.8.6" },
      build_platform: { id: "arduino:avr", version: "1.8.6" },
    },
    success: true,
  },
  boards: {
    detected_ports: [
      { matching_boards: [{ name: "Arduino Nano 33 BLE", fqbn: "arduino:mbed_nano:nano33ble" }], port: { address: "/dev/ttyACM0", label: "/dev/ttyACM0", protocol: "serial", protocol_label: "Serial Port (USB)", properties: { pid: "0x805A", vid: "0x2341" } } },
      { port: { address: "/dev/ttyS0", label: "/dev/ttyS0", protocol: "serial", protocol_label: "Serial Port" } },
    ],
  },
  cores: { platforms: [{ id: "arduino:avr", installed_version: "1.8.6", latest_version: "1.8.6", releases: { "1.8.6": { name: "Arduino AVR Boards" } } }] },
};
const OLD = {
  version: { Application: "arduino-cli", VersionString: "0.20.2", Commit: "13783819", Status: "alpha", Date: "2021-12-06T10:23:05Z" },
  compile: {
    compiler_out: "Sketch uses 1500 bytes (4%) of program storage space. Maximum is 32256 bytes.\n",
    compiler_err: "",
    build_path: "__BUILD__",
    used_libraries: [],
    executable_sections_size: [{ name: "text", size: 1500, maxsize: 32256 }, { name: "data", size: 99, maxsize: 2048 }],
    success: true,
  },
  boards: [{ port: { address: "COM3", label: "COM3", protocol: "serial", protocol_label: "Serial Port (USB)" }, matching_boards: [{ name: "Arduino Uno", fqbn: "arduino:avr:uno" }] }],
  cores: [{ id: "arduino:avr", installed: "1.8.3", latest: "1.8.4", name: "Arduino AVR Boards" }],
};
const FAIL = {
  compiler_out: "",
  compiler_err: "/tmp/x/x.ino: In function 'void setup()':\n/tmp/x/x.ino:3:1: error: 'a' was not declared in this scope\n",
  builder_result: { build_path: "__BUILD__" },
  success: false,
};

/** Write a fake arduino-cli (a sh script) that answers from JSON files and logs its arguments. */
function fakeCli(mode: "new" | "old" | "fail"): { dir: string; cmd: string; log: string } {
  const dir = mkdtempSync(join(tmpdir(), "fake-arduino-cli-"));
  const shapes = mode === "old" ? OLD : NEW;
  const w = (name: string, v: unknown) => writeFileSync(join(dir, name), JSON.stringify(v, null, 2));
  w("version.json", shapes.version);
  w("compile.json", mode === "fail" ? FAIL : shapes.compile);
  w("boards.json", shapes.boards);
  w("cores.json", shapes.cores);
  const log = join(dir, "args.log");
  const jsonFlag = mode === "old" ? '"--format json"' : '"--json"';
  const script = `#!/bin/sh
D="${dir}"
echo "$*" >> "$D/args.log"
case "$*" in
  *--json*) [ ${jsonFlag} = "--json" ] || { echo "Error: unknown flag: --json" >&2; exit 1; } ;;
  *"--format json"*) [ ${jsonFlag} = "--format json" ] || { echo "Error: unknown flag: --format" >&2; exit 1; } ;;
esac
case "$1" in
  version) cat "$D/version.json" ;;
  compile)
    bp=""; prev=""
    for a in "$@"; do [ "$prev" = "--build-path" ] && bp="$a"; prev="$a"; done
    sed "s#__BUILD__#$bp#" "$D/compile.json"
    if grep -q '"success": false' "$D/compile.json"; then echo "Error during build: exit status 1" >&2; exit 1; fi ;;
  board) cat "$D/boards.json" ;;
  core)
    case "$2" in list) cat "$D/cores.json" ;; *) echo "ok" ;; esac ;;
  lib)
    if [ "$ARDUINO_LIBRARY_ENABLE_UNSAFE_INSTALL" != "true" ]; then
      echo "--git-url and --zip-path are disabled by default, for more information see: https://arduino.github.io/arduino-cli/latest/configuration/#configuration-keys" >&2; exit 1
    fi
    echo "Library installed" ;;
  upload) echo "avrdude done.  Thank you." ;;
  monitor) echo "Connected to $3"; echo "OUT 01 02"; echo "END"; exec sleep 5 ;;
  *) echo "unknown command $1" >&2; exit 2 ;;
esac
`;
  const cmd = join(dir, "arduino-cli");
  writeFileSync(cmd, script);
  chmodSync(cmd, 0o755);
  return { dir, cmd, log };
}

describe("ArduinoCli with a fake arduino-cli (1.x JSON)", () => {
  test("version, flag detection, core list, board list", async () => {
    const fake = fakeCli("new");
    const cli = new ArduinoCli({ command: fake.cmd });
    expect(cli.isAvailable()).toBe(true);
    expect(await cli.version()).toMatchObject({ application: "arduino-cli", version: "1.1.1", commit: "fa6eafcb" });
    expect(await cli.coreList()).toEqual([{ id: "arduino:avr", installed: "1.8.6", latest: "1.8.6", name: "Arduino AVR Boards" }]);
    const ports = await cli.boardList();
    expect(ports).toHaveLength(2);
    expect(ports[0]).toEqual({ address: "/dev/ttyACM0", protocol: "serial", label: "/dev/ttyACM0", boards: [{ name: "Arduino Nano 33 BLE", fqbn: "arduino:mbed_nano:nano33ble" }] });
    expect(ports[1].boards).toEqual([]);
    expect(readFileSync(fake.log, "utf8")).toContain("board list --json");
  });

  test("compile parses builder_result sizes and passes the right flags", async () => {
    const fake = fakeCli("new");
    const cli = new ArduinoCli({ command: fake.cmd });
    const build = mkdtempSync(join(tmpdir(), "fake-build-"));
    const r = await cli.compile({ sketchDir: CHECKSUM_SKETCH, fqbn: "arduino:avr:uno", buildPath: build, libraries: ["/opt/libs"], buildProperties: ["compiler.cpp.extra_flags=-DX=1"] });
    expect(r).toMatchObject({ tool: "arduino-cli", fqbn: "arduino:avr:uno", flashBytes: 2406, flashMax: 32256, ramBytes: 1212, ramMax: 2048, buildPath: build });
    expect(r.elfPath).toBe(join(build, "checksum.ino.elf"));
    expect(r.hexPath).toBe(join(build, "checksum.ino.hex"));
    const args = readFileSync(fake.log, "utf8").trim().split("\n").pop()!;
    expect(args).toContain(`--fqbn arduino:avr:uno --build-path ${build} --libraries /opt/libs --build-property compiler.cpp.extra_flags=-DX=1`);
    expect(args).toMatch(/--json$/);
  });

  test("a failed compile becomes CompileError carrying the compiler's message", async () => {
    const cli = new ArduinoCli({ command: fakeCli("fail").cmd });
    const err = await cli.compile({ sketchDir: CHECKSUM_SKETCH, fqbn: "arduino:avr:uno" }).catch((e) => e);
    expect(err).toBeInstanceOf(CompileError);
    expect(err.compilerOutput).toContain("error: 'a' was not declared in this scope");
    expect(err.compilerOutput).toContain("Error during build");
    expect(err.exitCode).toBe(1);
  });

  test("libInstallZip enables unsafe install for that call only", async () => {
    const fake = fakeCli("new");
    const cli = new ArduinoCli({ command: fake.cmd });
    await expect(cli.libInstallZip("/tmp/TinyMLModel.zip")).resolves.toBeUndefined();
    expect(readFileSync(fake.log, "utf8")).toContain("lib install --zip-path /tmp/TinyMLModel.zip");
    // Without the variable the fake refuses, as the real one does: the error keeps its stderr.
    const bare = new ArduinoCli({ command: fake.cmd, env: { ARDUINO_LIBRARY_ENABLE_UNSAFE_INSTALL: "false" } });
    // Our per-call env wins over the instance env.
    await expect(bare.libInstallZip("/tmp/x.zip")).resolves.toBeUndefined();
  });

  test("upload passes port and fqbn; non-JSON output becomes ToolFailedError", async () => {
    const fake = fakeCli("new");
    const cli = new ArduinoCli({ command: fake.cmd });
    const run = await cli.upload({ fqbn: "arduino:avr:uno", port: "/dev/ttyACM0", sketchDir: CHECKSUM_SKETCH });
    expect(run.stdout).toContain("avrdude done");
    expect(readFileSync(fake.log, "utf8")).toContain("upload --fqbn arduino:avr:uno --port /dev/ttyACM0");
    const broken = fakeCli("new");
    writeFileSync(join(broken.dir, "cores.json"), "not json");
    await expect(new ArduinoCli({ command: broken.cmd }).coreList()).rejects.toThrow(ToolFailedError);
  });

  test("monitor streams lines until stopped", async () => {
    const cli = new ArduinoCli({ command: fakeCli("new").cmd });
    const mon = await cli.monitor({ port: "/dev/ttyACM0", baudrate: 9600 });
    const seen: string[] = [];
    for await (const line of mon.lines) {
      seen.push(line);
      if (line === "END") break;
    }
    await mon.stop();
    expect(seen).toEqual(["Connected to /dev/ttyACM0", "OUT 01 02", "END"]);
  });
});

describe("ArduinoCli with a fake pre-1.0 arduino-cli", () => {
  test("falls back to --format json and reads the old shapes", async () => {
    const fake = fakeCli("old");
    const cli = new ArduinoCli({ command: fake.cmd });
    expect((await cli.version()).version).toBe("0.20.2");
    expect(await cli.coreList()).toEqual([{ id: "arduino:avr", installed: "1.8.3", latest: "1.8.4", name: "Arduino AVR Boards" }]);
    expect((await cli.boardList())[0]).toMatchObject({ address: "COM3", boards: [{ fqbn: "arduino:avr:uno" }] });
    const r = await cli.compile({ sketchDir: CHECKSUM_SKETCH, fqbn: "arduino:avr:uno" });
    expect(r).toMatchObject({ flashBytes: 1500, flashMax: 32256, ramBytes: 99, ramMax: 2048 });
    expect(readFileSync(fake.log, "utf8")).toContain("compile --fqbn arduino:avr:uno");
    expect(readFileSync(fake.log, "utf8")).toMatch(/--format json\n/);
  });

  test("compileSketch prefers arduino-cli when it is there", async () => {
    const cli = new ArduinoCli({ command: fakeCli("new").cmd });
    const r = await compileSketch({ sketchDir: CHECKSUM_SKETCH, board: "uno", cli });
    expect(r.tool).toBe("arduino-cli");
  });
});

describe("parsers", () => {
  test("compile JSON: text summary when no sections, 0.1x board list", () => {
    const p = parseCompileJson({ compiler_out: "Sketch uses 444 bytes (1%) of program storage space. Maximum is 30720 bytes.\nGlobal variables use 9 bytes (0%) of dynamic memory, leaving 2039 bytes for local variables. Maximum is 2048 bytes.\n", success: true });
    expect(p).toMatchObject({ flashBytes: 444, flashMax: 30720, ramBytes: 9, ramMax: 2048, success: true });
    expect(parseBoardList([{ address: "/dev/ttyUSB0", protocol: "serial", protocol_label: "Serial Port (USB)", boards: [{ name: "Arduino Uno", FQBN: "arduino:avr:uno" }] }]))
      .toEqual([{ address: "/dev/ttyUSB0", protocol: "serial", label: "Serial Port (USB)", boards: [{ name: "Arduino Uno", fqbn: "arduino:avr:uno" }] }]);
    expect(parseBoardList({})).toEqual([]);
  });
});

describe("arduino-cli missing", () => {
  test("ToolMissingError with install instructions, never ENOENT", async () => {
    const cli = new ArduinoCli({ command: "/nonexistent/dir/arduino-cli" });
    expect(cli.isAvailable()).toBe(false);
    const err = await cli.version().catch((e) => e);
    expect(err).toBeInstanceOf(ToolMissingError);
    expect(err.message).toMatch(/arduino-cli is missing/);
    expect(err.message).toMatch(/install\.sh/);
    expect(err.message).toMatch(/brew install arduino-cli/);
    expect(err.message).toMatch(/Arduino IDE/);
    await expect(cli.compile({ sketchDir: CHECKSUM_SKETCH, fqbn: "arduino:avr:uno" })).rejects.toThrow(ToolMissingError);
    await expect(cli.monitor({ port: "/dev/null" })).rejects.toThrow(ToolMissingError);
  });

  test("compileSketch without any tool for the board says what to install", async () => {
    const cli = new ArduinoCli({ command: "/nonexistent/arduino-cli" });
    const err = await compileSketch({ sketchDir: CHECKSUM_SKETCH, board: "esp32", cli }).catch((e) => e);
    expect(err).toBeInstanceOf(ToolMissingError);
    expect(err.message).toMatch(/core install esp32:esp32/);
  });
});
