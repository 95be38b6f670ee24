/**
 * Live-sensor mode for lesson sketches: on a real Nano 33 BLE Sense the sketch reads the IMU and computes the
 * model's input as the notebook does (a C port of lib/apps/sensing's pipelines, `c/tinyml_sensors.h`); in every
 * other build it replays the stored inputs, which the emulator compares with the notebook.
 *
 * @example
 * ```ts
 * import { gesturesLive } from "tinyml-kit/deploy/sensors/mod.ts";
 * await deployLesson({ lesson: "2-07-gestures", graph, board: "nano33ble", samples,
 *   live: gesturesLive({ classes: GESTURES, sampleRate: 100, windowLength: 200, decimate: 4 }) });
 * ```
 * @module
 */
export { cFloat, gesturesLive, liveReadme, liveSection, SENSORS_HEADER, sensorsHeader, sensorsHeaderPath, STANDARD_GRAVITY, VIBRATION_FEATURES, vibrationLive, withLiveMode } from "./sketch.ts";
export type { ImuGesturesLive, LiveSensor, VibrationLive } from "./types.ts";
export { LiveSensorError } from "./errors.ts";
