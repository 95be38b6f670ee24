/**
 * Live-sensor sections for lesson sketches. A lesson's .ino holds two programs:
 *
 * - LIVE, built for a real IMU board (`ARDUINO_ARDUINO_NANO33BLE`, or any board with `-DTINYML_LIVE`) unless
 *   `TINYML_REPLAY` is defined: samples the IMU at the notebook's rate, computes the model's input with
 *   `tinyml_sensors.h` (a C port of lib/apps/sensing's pipeline), runs the model and prints the result.
 * - REPLAY, everywhere else (the emulator builds define no board macro): the stored inputs and `OUT`/`END`
 *   lines, byte for byte what `generateSketch` writes, which `deployLesson` compares with the notebook.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Graph } from "../../graph/types.ts";
import { cRows } from "../codegen/c_source.ts";
import { LiveSensorError } from "./errors.ts";
import type { ImuGesturesLive, LiveSensor, VibrationLive } from "./types.ts";

/** File name of the C pipeline inside a sketch folder. */
export const SENSORS_HEADER = "tinyml_sensors.h";
/** The gravity the training data was generated with (lib/data's IMU generator): g → m/s² on the board. */
export const STANDARD_GRAVITY = 9.81;
/** The feature count of `vibrationFeatures` (32 spectrum + 16 envelope bands). */
export const VIBRATION_FEATURES = 48;

/** Path of the hand-written C pipeline (`lib/deploy/sensors/c/tinyml_sensors.h`). */
export function sensorsHeaderPath(): string {
  return fileURLToPath(new URL("./c/tinyml_sensors.h", import.meta.url));
}

/** Text of the C pipeline, as copied into a sketch folder. */
export function sensorsHeader(): string {
  return readFileSync(sensorsHeaderPath(), "utf8");
}

/**
 * A gestures live mode (see {@link ImuGesturesLive}).
 * @example deployLesson({ …, live: gesturesLive({ classes: GESTURES, sampleRate: 100, windowLength: 200, decimate: 4 }) })
 */
export function gesturesLive(options: Omit<ImuGesturesLive, "kind">): ImuGesturesLive {
  return { kind: "imu-gestures", ...options };
}

/**
 * A vibration-anomaly live mode (see {@link VibrationLive}).
 * @example deployLesson({ …, live: vibrationLive({ sampleRate: 4000, windowLength: 4000, standardizer: scaler, threshold: 0.4 }) })
 */
export function vibrationLive(options: Omit<VibrationLive, "kind">): VibrationLive {
  return { kind: "vibration", ...options };
}

interface Quant {
  size: number;
  scale: number;
  zeroPoint: number;
}

function quantOf(graph: Graph, index: number, what: string): Quant {
  const t = graph.tensors[index];
  if (t.dtype !== "int8" || !t.quant) throw new LiveSensorError(`the model's ${what} is ${t.dtype} without int8 quantization; live mode needs an int8 model (quantizeModel)`);
  return { size: t.shape.reduce((a, b) => a * b, 1), scale: t.quant.scale[0], zeroPoint: t.quant.zeroPoint[0] };
}

/** A float32 value as a C float literal that reads back to the same bits. */
export function cFloat(x: number): string {
  const f = Math.fround(x);
  if (!Number.isFinite(f)) throw new LiveSensorError(`${x} is not a finite float`);
  // The shortest decimal that reads back as the same float (9 significant digits always do).
  let p = 1;
  while (p < 9 && Math.fround(Number(f.toPrecision(p))) !== f) p++;
  const s = String(Number(f.toPrecision(p)));
  return `${s.includes(".") || s.includes("e") ? s : `${s}.0`}f`;
}

/** A double as a C literal that reads back to the same bits. */
function cDouble(x: number): string {
  if (!Number.isFinite(x)) throw new LiveSensorError(`${x} is not a finite number`);
  const s = String(x); // the shortest decimal that reads back as the same double
  return s.includes(".") || s.includes("e") ? s : `${s}.0`;
}

function cFloats(name: string, values: ArrayLike<number>): string[] {
  const vals = Array.from(values, cFloat);
  return [`static const float ${name}[${vals.length}] = {`, ...(vals.length ? [cRows(vals, 8)] : []), "};"];
}

function positiveInt(x: number | undefined, what: string): number {
  if (!(Number.isInteger(x) && (x as number) >= 1)) throw new LiveSensorError(`${what} must be a whole number ≥ 1, got ${x}`);
  return x as number;
}

/** Shared pieces: the mode switch, includes, IMU reading, the sampling clock. */
function preamble(library: string, title: string): string[] {
  return [
    `#include <${library}.h>`,
    "#if defined(TINYML_IMU_BMI270)",
    "#include <Arduino_BMI270_BMM150.h> // Nano 33 BLE Sense Rev2: build with -DTINYML_IMU_BMI270",
    "#else",
    "#include <Arduino_LSM9DS1.h> // Nano 33 BLE Sense (Rev1)",
    "#endif",
    `#include "${SENSORS_HEADER}"`,
    "",
    `// ${title}`,
    "",
  ];
}

/** Comment above pollImu(). */
const POLL_NOTE = [
  "// The IMU has its own clock (LSM9DS1: 119 Hz). Drain its FIFO on every loop() so `held` is the newest reading;",
  "// the sampling clock in loop() takes `held` at the model's rate (sample and hold).",
];

function setupBlock(what: string): string[] {
  return [
    "void setup() {",
    "  Serial.begin(115200);",
    "  while (!Serial) {",
    "  }",
    "  if (!IMU.begin()) {",
    '    Serial.println("ERROR IMU.begin() failed: is this a Nano 33 BLE Sense? (Rev2: build with -DTINYML_IMU_BMI270)");',
    "    while (true) {",
    "    }",
    "  }",
    `  Serial.println("LIVE ${what}");`,
    "  nextTickUs = micros();",
    "}",
  ];
}

function gesturesSection(live: ImuGesturesLive, library: string, input: Quant, output: Quant): string[] {
  const d = positiveInt(live.decimate ?? 4, "decimate");
  const n = positiveInt(live.windowLength, "windowLength");
  if (n % d !== 0) throw new LiveSensorError(`decimate (${d}) must divide windowLength (${n})`);
  const hop = positiveInt(live.hop ?? Math.max(1, Math.round(n / 4)), "hop");
  if (!(live.sampleRate > 0 && live.sampleRate <= 10_000)) throw new LiveSensorError(`sampleRate must be in (0, 10000] Hz, got ${live.sampleRate}`);
  if (input.size !== (n / d) * 6) throw new LiveSensorError(`the model takes ${input.size} inputs, but ${n} samples / ${d} × 6 channels make ${(n / d) * 6}`);
  if (output.size !== live.classes.length) throw new LiveSensorError(`the model has ${output.size} outputs but ${live.classes.length} class names were given`);
  const names = live.classes.map((c) => JSON.stringify(String(c)));
  const period = Math.round(1e6 / live.sampleRate);
  return [
    ...preamble(library, `Gestures: ${n} IMU samples at ${live.sampleRate} Hz, averaged ${d} at a time, scaled to ±full scale, quantized.`),
    `#define LIVE_WINDOW ${n}`,
    `#define LIVE_DECIMATE ${d}`,
    `#define LIVE_HOP ${hop} // new samples between two classifications`,
    `#define LIVE_PERIOD_US ${period}UL // ${live.sampleRate} Hz`,
    `static const double kAccelRange = ${cDouble(live.accelRange ?? 4 * STANDARD_GRAVITY)}; // m/s^2, as imuWindows' accelRange`,
    `static const double kGyroRange = ${cDouble(live.gyroRange ?? 500)}; // deg/s`,
    `static const float kGravity = ${cFloat(STANDARD_GRAVITY)}; // IMU reports g; the notebook's data is in m/s^2`,
    `static const float kInputScale = ${cFloat(input.scale)};`,
    `static const int kInputZeroPoint = ${input.zeroPoint};`,
    `static const float kOutputScale = ${cFloat(output.scale)};`,
    `static const int kOutputZeroPoint = ${output.zeroPoint};`,
    `static const char* const kClasses[${names.length}] = {${names.join(", ")}};`,
    "",
    "static float held[6];                      // newest ax ay az (m/s^2) gx gy gz (deg/s)",
    "static float ring[LIVE_WINDOW * 6];        // the last LIVE_WINDOW samples, oldest at `head`",
    "static float window[LIVE_WINDOW * 6];      // the same, in time order",
    "static float scaled[(LIVE_WINDOW / LIVE_DECIMATE) * 6];",
    "static int head = 0, filled = 0, sinceLast = 0;",
    "static unsigned long nextTickUs = 0;",
    "",
    ...POLL_NOTE,
    "static void pollImu() {",
    "  float x, y, z;",
    "  while (IMU.accelerationAvailable()) {",
    "    IMU.readAcceleration(x, y, z);",
    "    held[0] = x * kGravity;",
    "    held[1] = y * kGravity;",
    "    held[2] = z * kGravity;",
    "  }",
    "  while (IMU.gyroscopeAvailable()) {",
    "    IMU.readGyroscope(x, y, z);",
    "    held[3] = x;",
    "    held[4] = y;",
    "    held[5] = z;",
    "  }",
    "}",
    "",
    "static void classify() {",
    "  for (int i = 0; i < LIVE_WINDOW * 6; ++i) window[i] = ring[(head * 6 + i) % (LIVE_WINDOW * 6)];",
    "  tml_imu_window(window, LIVE_WINDOW, LIVE_DECIMATE, kAccelRange, kGyroRange, scaled);",
    `  int8_t* in = ${library}_input();`,
    "  for (int i = 0; i < (LIVE_WINDOW / LIVE_DECIMATE) * 6; ++i) in[i] = tml_quantize(scaled[i], kInputScale, kInputZeroPoint);",
    `  ${library}_run();`,
    `  const int8_t* out = ${library}_output();`,
    `  const int best = tml_argmax(out, ${output.size});`,
    '  Serial.print("GESTURE ");',
    "  Serial.print(kClasses[best]);",
    "  Serial.print(' ');",
    "  Serial.println(kOutputScale * (float)(out[best] - kOutputZeroPoint), 3);",
    "}",
    "",
    ...setupBlock(`gestures: ${live.classes.join(", ")}`),
    "",
    "void loop() {",
    "  pollImu();",
    "  // Behind by a whole window (e.g. the serial port blocked)? Start the clock again rather than replay stale samples.",
    "  if ((long)(micros() - nextTickUs) > (long)(LIVE_WINDOW * LIVE_PERIOD_US)) nextTickUs = micros();",
    "  while ((long)(micros() - nextTickUs) >= 0) {",
    "    nextTickUs += LIVE_PERIOD_US;",
    "    for (int c = 0; c < 6; ++c) ring[head * 6 + c] = held[c];",
    "    head = (head + 1) % LIVE_WINDOW;",
    "    if (filled < LIVE_WINDOW) ++filled;",
    "    if (++sinceLast >= LIVE_HOP && filled == LIVE_WINDOW) { // the first as soon as the window is full",
    "      sinceLast = 0;",
    "      classify();",
    "    }",
    "  }",
    "}",
  ];
}

function vibrationSection(live: VibrationLive, library: string, input: Quant, output: Quant): string[] {
  const n = positiveInt(live.windowLength, "windowLength");
  if (n < 1024) throw new LiveSensorError(`windowLength must be ≥ 1024 samples (the envelope spectrum's frame), got ${n}`);
  if (!(live.sampleRate >= 800 && live.sampleRate <= 100_000)) throw new LiveSensorError(`sampleRate must be 800–100000 Hz (the envelope bands reach 400 Hz), got ${live.sampleRate}`);
  const { mean, std } = live.standardizer;
  if (mean.length !== VIBRATION_FEATURES || std.length !== VIBRATION_FEATURES) {
    throw new LiveSensorError(`the standardizer has ${mean.length} means and ${std.length} stds; vibrationFeatures makes ${VIBRATION_FEATURES}`);
  }
  if (input.size !== VIBRATION_FEATURES || output.size !== VIBRATION_FEATURES) {
    throw new LiveSensorError(`the autoencoder takes ${input.size} and returns ${output.size} values; vibration live mode needs ${VIBRATION_FEATURES} and ${VIBRATION_FEATURES}`);
  }
  if (!Number.isFinite(live.threshold)) throw new LiveSensorError(`threshold must be a finite number, got ${live.threshold}`);
  const axis = live.axis ?? "z";
  if (!["x", "y", "z"].includes(axis)) throw new LiveSensorError(`axis must be "x", "y" or "z", got ${axis}`);
  const period = Math.round(1e6 / live.sampleRate);
  return [
    ...preamble(library, `Vibration: ${n} samples of the ${axis} axis at ${live.sampleRate} Hz, vibrationFeatures, standardised, quantized.`),
    `#define LIVE_WINDOW ${n}`,
    `#define LIVE_PERIOD_US ${period}UL // ${live.sampleRate} Hz`,
    `static const double kSampleRate = ${cDouble(live.sampleRate)};`,
    `static const double kThreshold = ${cDouble(live.threshold)}; // the lesson's alarm threshold on the score`,
    `static const float kInputScale = ${cFloat(input.scale)};`,
    `static const int kInputZeroPoint = ${input.zeroPoint};`,
    `static const float kOutputScale = ${cFloat(output.scale)};`,
    `static const int kOutputZeroPoint = ${output.zeroPoint};`,
    "// The training features' mean and std (fitStandardizer).",
    ...cFloats("kMean", mean),
    ...cFloats("kStd", std),
    "",
    "static float held = 0.0f;                      // newest reading of the axis, g",
    "static float window[LIVE_WINDOW];              // one window; becomes its envelope during the features",
    "static TML_REAL scratch[2 * TML_VIBRATION_MAX_FRAME];",
    "static float features[TML_VIBRATION_FEATURES], z[TML_VIBRATION_FEATURES];",
    "static int filled = 0;",
    "static unsigned long nextTickUs = 0;",
    "",
    ...POLL_NOTE,
    "static void pollImu() {",
    "  float x, y, zz;",
    "  while (IMU.accelerationAvailable()) {",
    "    IMU.readAcceleration(x, y, zz);",
    `    held = ${axis === "z" ? "zz" : axis};`,
    "  }",
    "}",
    "",
    "static void score() {",
    "  tml_remove_mean(window, LIVE_WINDOW); // gravity: the training recordings have none",
    "  tml_vibration_features(window, LIVE_WINDOW, kSampleRate, scratch, features);",
    `  tml_standardize_quantize(features, kMean, kStd, TML_VIBRATION_FEATURES, kInputScale, kInputZeroPoint, z, ${library}_input());`,
    `  ${library}_run();`,
    `  const double s = tml_reconstruction_error(z, ${library}_output(), TML_VIBRATION_FEATURES, kOutputScale, kOutputZeroPoint);`,
    '  Serial.print("SCORE ");',
    "  Serial.print(s, 3);",
    '  Serial.println(s >= kThreshold ? " ALARM" : " ok");',
    "}",
    "",
    ...setupBlock("vibration anomaly score"),
    "",
    "void loop() {",
    "  pollImu();",
    "  while (filled < LIVE_WINDOW && (long)(micros() - nextTickUs) >= 0) {",
    "    nextTickUs += LIVE_PERIOD_US;",
    "    window[filled++] = held;",
    "  }",
    "  if (filled == LIVE_WINDOW) {",
    "    score();",
    "    filled = 0;",
    "    nextTickUs = micros(); // the next window starts now",
    "  }",
    "}",
  ];
}

/** The C text of the live program (everything between `#if TINYML_LIVE_MODE` and `#else`). */
export function liveSection(live: LiveSensor, graph: Graph, library: string): string {
  const input = quantOf(graph, graph.inputs[0], "input");
  const output = quantOf(graph, graph.outputs[0], "output");
  switch (live.kind) {
    case "imu-gestures":
      return gesturesSection(live, library, input, output).join("\n");
    case "vibration":
      return vibrationSection(live, library, input, output).join("\n");
    default:
      throw new LiveSensorError(`unknown live sensor kind "${(live as { kind: string }).kind}"; use "imu-gestures" or "vibration"`);
  }
}

/**
 * The lesson's .ino with a live mode: `replayIno` (generateSketch's text, unchanged) becomes the `#else` branch.
 * @example writeFileSync(ino, withLiveMode(replay, { lesson: "2-07-gestures", library: "gestures", graph, live }));
 */
export function withLiveMode(replayIno: string, options: { lesson: string; library: string; graph: Graph; live: LiveSensor }): string {
  const { lesson, live } = options;
  const prints = live.kind === "imu-gestures" ? "`GESTURE <name> <probability>`" : "`SCORE <reconstruction error> ok|ALARM`";
  return [
    `// ${lesson}.ino - generated by tinyml-kit. Two programs in one sketch:`,
    `//  LIVE   on a Nano 33 BLE Sense (or any board built with -DTINYML_LIVE): reads the IMU, computes the model's`,
    `//         input as the notebook does (${SENSORS_HEADER}), runs the model, prints ${prints}.`,
    "//  REPLAY everywhere else, or with -DTINYML_REPLAY: runs the stored inputs and prints OUT/END lines (what the",
    "//         emulator checks against the notebook).",
    "#if !defined(TINYML_REPLAY) && (defined(ARDUINO_ARDUINO_NANO33BLE) || defined(TINYML_LIVE))",
    "#define TINYML_LIVE_MODE 1",
    "#endif",
    "",
    "#if defined(TINYML_LIVE_MODE)",
    liveSection(live, options.graph, options.library),
    "",
    "#else // REPLAY",
    "",
    replayIno.trimEnd(),
    "",
    "#endif // TINYML_LIVE_MODE",
    "",
  ].join("\n");
}

/** README lines about the live mode (appended to the lesson's README). */
export function liveReadme(live: LiveSensor): string {
  const what = live.kind === "imu-gestures"
    ? `samples the IMU (accelerometer and gyroscope) at ${live.sampleRate} Hz, classifies the last ${live.windowLength} samples every ${live.hop ?? Math.round(live.windowLength / 4)} new ones and prints \`GESTURE <name> <probability>\``
    : `samples the accelerometer's ${live.axis ?? "z"} axis at ${live.sampleRate} Hz, scores every ${live.windowLength}-sample window and prints \`SCORE <error> ok\` or \`SCORE <error> ALARM\` (threshold ${live.threshold.toPrecision(4)})`;
  return [
    "## Live mode",
    "",
    `Built for the Nano 33 BLE Sense, the sketch ${what}. The input pipeline is \`${SENSORS_HEADER}\`, a C port of`,
    "the notebook's (lib/apps/sensing), tested against it. Install the IMU library first:",
    "",
    "```sh",
    "arduino-cli lib install Arduino_LSM9DS1          # Rev1 (LSM9DS1)",
    "arduino-cli lib install Arduino_BMI270_BMM150    # Rev2: add --build-property compiler.cpp.extra_flags=-DTINYML_IMU_BMI270",
    "```",
    "",
    "The IMU delivers new readings at its own rate (LSM9DS1: 119 Hz); the sketch takes the newest one at the model's rate",
    live.kind === "vibration"
      ? "(sample and hold), so only vibration below ~60 Hz is real: the bearing band needs a faster accelerometer. The window's mean (gravity) is removed first."
      : "(sample and hold).",
    "To run the stored inputs on the board instead, build with `-DTINYML_REPLAY`.",
    "",
  ].join("\n");
}
