/**
 * A typed wrapper over the `arduino-cli` program.
 *
 * arduino-cli ≥ 1.0 takes `--json`; older releases take `--format json`. The wrapper asks once per instance
 * (with `version`) and then uses the right flag. JSON shapes of both generations are accepted.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { execa } from "execa";
import { CompileError, ToolFailedError, ToolMissingError } from "./errors.ts";
import { parseSizeSummary, parseWarnings } from "./size.ts";
import { findExecutable, runTool, type ToolRun } from "./tools.ts";
import type { CompileResult } from "./types.ts";

/** Options for {@link ArduinoCli}. */
export interface ArduinoCliOptions {
  /** Program to run (default "arduino-cli" from PATH). */
  command?: string;
  /** Extra environment variables for every call. */
  env?: Record<string, string>;
  /** `--config-file` to pass to every call. */
  configFile?: string;
  /** Per-call time limit (default 10 minutes: first compiles of mbed cores are slow). */
  timeoutMs?: number;
}

/** `arduino-cli version` */
export interface CliVersion {
  application: string;
  version: string;
  commit: string;
  date: string;
}

/** One installed platform (core). */
export interface InstalledCore {
  id: string;
  installed: string;
  latest: string;
  name: string;
}

/** A port found by `board list`, with the boards it may be. */
export interface DetectedPort {
  address: string;
  protocol: string;
  label: string;
  boards: { name: string; fqbn: string }[];
}

/** Options for {@link ArduinoCli.compile}. */
export interface CliCompileOptions {
  sketchDir: string;
  fqbn: string;
  /** Where build outputs go (default: a fresh temp dir). */
  buildPath?: string;
  /** Extra library folders (`--libraries`). */
  libraries?: readonly string[];
  /** `--build-property key=value` entries. */
  buildProperties?: readonly string[];
  warnings?: "none" | "default" | "more" | "all";
}

/** Options for {@link ArduinoCli.upload}. */
export interface CliUploadOptions {
  fqbn: string;
  port: string;
  /** Sketch folder; or give `inputDir` to upload an existing build. */
  sketchDir?: string;
  inputDir?: string;
  verify?: boolean;
}

/** A running `arduino-cli monitor`. */
export interface SerialMonitor {
  /** Lines as they arrive; ends when the monitor stops. */
  lines: AsyncIterable<string>;
  /** Stop the monitor process. */
  stop(): Promise<void>;
  pid: number | undefined;
}

type JsonFlag = readonly string[];

/**
 * The arduino-cli wrapper. All methods throw ToolMissingError when the program is absent.
 * @example
 * const cli = new ArduinoCli();
 * const r = await cli.compile({ sketchDir: "sketches/hello", fqbn: "arduino:avr:uno" });
 * console.log(r.flashBytes, r.flashMax);
 */
export class ArduinoCli {
  readonly command: string;
  private readonly options: ArduinoCliOptions;
  private jsonFlag: JsonFlag | null = null;

  constructor(options: ArduinoCliOptions = {}) {
    this.options = options;
    this.command = options.command ?? "arduino-cli";
  }

  /** True when the program can be found (no process is started). */
  isAvailable(): boolean {
    return findExecutable(this.command) !== null;
  }

  /** `arduino-cli version` as data. */
  async version(): Promise<CliVersion> {
    const json = await this.json(["version"]);
    const o = json as Record<string, string>;
    return {
      application: o.Application ?? o.application ?? "arduino-cli",
      version: o.VersionString ?? o.version_string ?? o.version ?? "",
      commit: o.Commit ?? o.commit ?? "",
      date: o.Date ?? o.date ?? "",
    };
  }

  /** Installed cores (`core list`). */
  async coreList(): Promise<InstalledCore[]> {
    const json = await this.json(["core", "list"]);
    // ≥ 1.0: { platforms: [...] } with installed_version; older: a bare array with installed/latest.
    const list = (Array.isArray(json) ? json : (json as { platforms?: unknown[] })?.platforms ?? []) as Record<string, unknown>[];
    return list.map((p) => {
      const releases = p.releases as Record<string, { name?: string }> | undefined;
      const installed = String(p.installed_version ?? p.installed ?? p.Installed ?? "");
      return {
        id: String(p.id ?? p.ID ?? ""),
        installed,
        latest: String(p.latest_version ?? p.latest ?? p.Latest ?? ""),
        name: String(p.name ?? p.Name ?? releases?.[installed]?.name ?? ""),
      };
    });
  }

  /** Install a core, e.g. "arduino:avr" or "arduino:mbed_nano@4.1.5". */
  async coreInstall(core: string): Promise<void> {
    await this.run(["core", "update-index"]);
    await this.run(["core", "install", core]);
  }

  /**
   * Install a library from a .zip. arduino-cli refuses unless `library.enable_unsafe_install` is on; this
   * sets it for this one call through the environment, leaving the user's config file alone.
   * Pass `persist: true` to write it to the config instead (`config set`).
   */
  async libInstallZip(zipPath: string, options: { persist?: boolean } = {}): Promise<void> {
    if (options.persist) await this.run(["config", "set", "library.enable_unsafe_install", "true"]);
    await this.run(["lib", "install", "--zip-path", resolve(zipPath)], {
      ARDUINO_LIBRARY_ENABLE_UNSAFE_INSTALL: "true",
    });
  }

  /** Compile a sketch folder; sizes come from the builder's JSON result. Throws CompileError with the compiler output. */
  async compile(options: CliCompileOptions): Promise<CompileResult> {
    const sketchDir = resolve(options.sketchDir);
    const buildPath = resolve(options.buildPath ?? mkdtempSync(join(tmpdir(), "tinyml-cli-build-")));
    const args = ["compile", "--fqbn", options.fqbn, "--build-path", buildPath];
    for (const lib of options.libraries ?? []) args.push("--libraries", resolve(lib));
    for (const prop of options.buildProperties ?? []) args.push("--build-property", prop);
    if (options.warnings) args.push("--warnings", options.warnings);
    args.push(sketchDir);
    const flag = await this.detectJsonFlag();
    const run = await this.exec([...args, ...flag], {}, false);
    let json: unknown = null;
    try {
      json = JSON.parse(run.stdout);
    } catch {
      // very old releases print text even with --format json; fall through to text parsing
    }
    const parsed = parseCompileJson(json, run.stdout);
    if (run.exitCode !== 0 || parsed.success === false) {
      throw new CompileError("arduino-cli", options.fqbn, [parsed.compilerErr, run.stderr].filter(Boolean).join("\n") || run.stdout, run.exitCode);
    }
    const name = basename(sketchDir);
    const outBuild = parsed.buildPath ?? buildPath;
    const output = [parsed.compilerOut, parsed.compilerErr].filter(Boolean).join("\n");
    return {
      fqbn: options.fqbn,
      flashBytes: parsed.flashBytes ?? 0,
      ramBytes: parsed.ramBytes ?? 0,
      flashMax: parsed.flashMax,
      ramMax: parsed.ramMax,
      elfPath: join(outBuild, `${name}.ino.elf`),
      hexPath: join(outBuild, `${name}.ino.hex`),
      warnings: parseWarnings(output + "\n" + run.stderr),
      tool: "arduino-cli",
      buildPath: outBuild,
      output,
    };
  }

  /** Upload a sketch (compiled from `sketchDir`, or an existing build in `inputDir`) to a board. */
  async upload(options: CliUploadOptions): Promise<ToolRun> {
    const args = ["upload", "--fqbn", options.fqbn, "--port", options.port];
    if (options.verify) args.push("--verify");
    if (options.inputDir) args.push("--input-dir", resolve(options.inputDir));
    if (options.sketchDir) args.push(resolve(options.sketchDir));
    return await this.run(args);
  }

  /** Ports and the boards detected on them (`board list`). */
  async boardList(): Promise<DetectedPort[]> {
    return parseBoardList(await this.json(["board", "list"]));
  }

  /**
   * Open the serial monitor on a port; read `lines` and call `stop()` when done.
   * @example
   * const mon = await cli.monitor({ port: "/dev/ttyACM0", baudrate: 115200 });
   * for await (const line of mon.lines) { if (line === "END") break; }
   * await mon.stop();
   */
  async monitor(options: { port: string; baudrate?: number; fqbn?: string }): Promise<SerialMonitor> {
    if (!this.isAvailable()) throw new ToolMissingError("arduino-cli");
    const args = [...this.globalArgs(), "monitor", "--port", options.port, "--config", `baudrate=${options.baudrate ?? 115200}`];
    if (options.fqbn) args.push("--fqbn", options.fqbn);
    const child = execa(this.command, args, { env: this.options.env, buffer: false, reject: false, stdin: "pipe" });
    // readline rather than execa's iterable: breaking out of that waits for the process to exit.
    const reader = createInterface({ input: child.stdout!, crlfDelay: Infinity });
    async function* lines(): AsyncGenerator<string> {
      for await (const line of reader) yield line;
    }
    return {
      lines: lines(),
      pid: child.pid,
      async stop() {
        reader.close();
        child.kill("SIGTERM");
        await child;
      },
    };
  }

  // ---- plumbing ----

  private globalArgs(): string[] {
    return this.options.configFile ? ["--config-file", resolve(this.options.configFile)] : [];
  }

  private async exec(args: readonly string[], env: Record<string, string> = {}, check = true): Promise<ToolRun> {
    try {
      return await runTool(this.command, [...this.globalArgs(), ...args], {
        env: { ...this.options.env, ...env },
        timeoutMs: this.options.timeoutMs ?? 600_000,
        check,
        toolName: "arduino-cli",
      });
    } catch (e) {
      if (e instanceof ToolMissingError) throw new ToolMissingError("arduino-cli");
      throw e;
    }
  }

  private async run(args: readonly string[], env: Record<string, string> = {}): Promise<ToolRun> {
    return await this.exec(args, env, true);
  }

  /** `--json` (≥ 1.0) or `--format json` (older): try the new one first, on "unknown flag" fall back. */
  private async detectJsonFlag(): Promise<JsonFlag> {
    if (this.jsonFlag) return this.jsonFlag;
    const probe = await this.exec(["version", "--json"], {}, false);
    this.jsonFlag = probe.exitCode === 0 && looksLikeJson(probe.stdout) ? ["--json"] : ["--format", "json"];
    return this.jsonFlag;
  }

  private async json(args: readonly string[]): Promise<unknown> {
    const flag = await this.detectJsonFlag();
    const run = await this.run([...args, ...flag]);
    try {
      return JSON.parse(run.stdout);
    } catch {
      throw new ToolFailedError("arduino-cli", args, run.exitCode, run.stdout, run.stderr, `arduino-cli ${args.join(" ")} did not print JSON:\n${run.stdout.slice(0, 500)}`);
    }
  }
}

function looksLikeJson(text: string): boolean {
  const t = text.trim();
  return t.startsWith("{") || t.startsWith("[");
}

/** What a compile JSON says, in any of the shapes arduino-cli has used. */
export interface ParsedCompileJson {
  success: boolean | null;
  compilerOut: string;
  compilerErr: string;
  buildPath: string | null;
  flashBytes: number | null;
  flashMax: number | null;
  ramBytes: number | null;
  ramMax: number | null;
}

interface SectionJson {
  name?: string;
  size?: number | string;
  max_size?: number | string;
  maxsize?: number | string;
  maxSize?: number | string;
}

/**
 * Parse `arduino-cli compile --json` output. Shapes accepted:
 * ≥ 0.21: `{ compiler_out, compiler_err, builder_result: { build_path, executable_sections_size: [{name, size, max_size}] }, success }`;
 * 0.14–0.20: the same fields at top level; 1.x also wraps messages in arrays of `{ type, msg }` on some builds.
 * When no section sizes are present the "Sketch uses …" text lines are used.
 */
export function parseCompileJson(json: unknown, rawText = ""): ParsedCompileJson {
  const o = (json && typeof json === "object" ? json : {}) as Record<string, unknown>;
  const br = (o.builder_result ?? o.builderResult ?? o) as Record<string, unknown>;
  const text = (v: unknown): string =>
    typeof v === "string" ? v : Array.isArray(v) ? v.map((m) => (typeof m === "string" ? m : String((m as { msg?: string }).msg ?? ""))).join("\n") : "";
  const compilerOut = text(o.compiler_out ?? o.compilerOut);
  const compilerErr = text(o.compiler_err ?? o.compilerErr);
  const sections = (br.executable_sections_size ?? br.executableSectionsSize ?? o.executable_sections_size ?? []) as SectionJson[];
  const find = (names: string[]) => sections.find((s) => names.includes(String(s.name)));
  const num = (v: unknown): number | null => (v === undefined || v === null || v === "" ? null : Number(v));
  const textSec = find(["text", "flash"]);
  const dataSec = find(["data", "ram"]);
  const summary = parseSizeSummary(compilerOut || rawText);
  const sketchSize = o.sketch_size as { size?: number; max_size?: number } | undefined;
  return {
    success: typeof o.success === "boolean" ? o.success : null,
    compilerOut: compilerOut || (json ? "" : rawText),
    compilerErr,
    buildPath: (br.build_path ?? br.buildPath ?? o.build_path ?? null) as string | null,
    flashBytes: num(textSec?.size) ?? num(sketchSize?.size) ?? summary.flashBytes,
    flashMax: num(textSec?.max_size ?? textSec?.maxsize ?? textSec?.maxSize) ?? num(sketchSize?.max_size) ?? summary.flashMax,
    ramBytes: num(dataSec?.size) ?? summary.ramBytes,
    ramMax: num(dataSec?.max_size ?? dataSec?.maxsize ?? dataSec?.maxSize) ?? summary.ramMax,
  };
}

/** Parse `board list` JSON: `{ detected_ports: [{ port, matching_boards }] }` (≥ 0.30), a bare array of the same (0.18–0.29), or the 0.1x `[{ address, protocol, boards }]`. */
export function parseBoardList(json: unknown): DetectedPort[] {
  const list = (Array.isArray(json) ? json : (json as { detected_ports?: unknown[] })?.detected_ports ?? []) as Record<string, unknown>[];
  return list.map((entry) => {
    const port = (entry.port ?? entry) as Record<string, unknown>;
    const boards = (entry.matching_boards ?? entry.boards ?? []) as Record<string, unknown>[];
    return {
      address: String(port.address ?? ""),
      protocol: String(port.protocol ?? ""),
      label: String(port.label ?? port.protocol_label ?? port.address ?? ""),
      boards: boards.map((b) => ({ name: String(b.name ?? ""), fqbn: String(b.fqbn ?? b.FQBN ?? "") })),
    };
  });
}
