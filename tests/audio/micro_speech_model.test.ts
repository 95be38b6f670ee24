// External check: our frontend's features, fed to the real micro_speech model through lib/tflite +
// lib/int8, give TFLM's labels and exact scores for the four 1 s clips.
import { describe, expect, test } from "vitest";
import { readFileSync } from "node:fs";
import { readTflite } from "../../lib/tflite/mod.ts";
import { Interpreter } from "../../lib/int8/mod.ts";
import { loadClip16k } from "../../lib/audio/wav.ts";
import { microSpeechFeatures } from "../../lib/audio/microfrontend/mod.ts";
import { CLIPS, CONFORMANCE, HAVE_SHARED, sharedBytes, sharedInt8 } from "./helpers.ts";

describe.skipIf(!HAVE_SHARED)("micro_speech_quantized.tflite on our features", () => {
  const expectations = HAVE_SHARED ? JSON.parse(readFileSync(CONFORMANCE + "micro_speech_expectations.json", "utf8")) : null;
  const labels: string[] = expectations?.labels ?? [];
  const interp = HAVE_SHARED ? new Interpreter(readTflite(sharedBytes("micro_speech_quantized.tflite"))) : null;

  for (const clip of CLIPS) {
    test(`${clip}_1000ms → ${expectations?.clips_1000ms[`${clip}_1000ms.wav`]} with TFLM's exact scores`, () => {
      const pcm = loadClip16k(sharedBytes(`${clip}_1000ms.wav`));
      for (const [variant, file] of [["microfrontend", "features"], ["signal", "signalfeatures"]] as const) {
        const [scores] = interp!.invoke([microSpeechFeatures(pcm, variant)]) as Int8Array[];
        const best = scores.indexOf(Math.max(...scores));
        expect(labels[best], variant).toBe(expectations.clips_1000ms[`${clip}_1000ms.wav`]);
        expect(Array.from(scores), variant).toEqual(Array.from(sharedInt8(`golden/tflm/micro_speech_${file}_${clip}_1000ms_output.bin`)));
      }
    }, 30_000);
  }
});
