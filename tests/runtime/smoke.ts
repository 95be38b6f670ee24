/**
 * One computation through several lib areas, run by the Bun test in a Bun process and in the test's own runtime:
 * the two results must be identical, byte for byte (the lib runs unchanged in Node, Deno and Bun).
 */
import { computeFrontendFeatures } from "../../lib/audio/mod.ts";
import { Interpreter } from "../../lib/int8/mod.ts";
import { quantizeMultiplier } from "../../lib/quant/mod.ts";
import { generateSigningKey, signModel, verifyModel } from "../../lib/security/mod.ts";
import { writeTflite, readTflite } from "../../lib/tflite/mod.ts";
import { mulberry32 } from "../../lib/util/random.ts";
import { oneOp, q, randInt32, randInt8, tensor } from "../int8/build.ts";

const hex = (b: ArrayLike<number>) => Array.from(b, (v) => (v & 0xff).toString(16).padStart(2, "0")).join("");

/** A seeded 1 s tone-plus-noise clip. */
function clip(): Int16Array {
  const rand = mulberry32(7);
  return Int16Array.from({ length: 16000 }, (_, i) => Math.round(6000 * Math.sin(i * 0.07) + 2000 * (rand() - 0.5)));
}

/** Everything a runtime difference could break: int8 kernels (JS and wasm SIMD), .tflite round trip, frontend, WebCrypto. */
export async function smokeResults(): Promise<Record<string, string>> {
  const conv = oneOp(
    { op: "CONV_2D", padding: "SAME", strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, fusedActivation: "RELU" },
    [
      tensor("x", [1, 6, 6, 8], "int8", q(0.05, -3)),
      tensor("w", [16, 3, 3, 8], "int8", q(Array.from({ length: 16 }, (_, i) => 0.01 + i * 0.001), 0, 0), randInt8(16 * 72, 1, -127, 127)),
      tensor("b", [16], "int32", q(Array.from({ length: 16 }, (_, i) => 0.05 * (0.01 + i * 0.001))), randInt32(16, 2, 4000)),
    ],
    tensor("y", [1, 6, 6, 16], "int8", q(0.1, 5)),
  );
  const x = randInt8(6 * 6 * 8, 3);
  const reference = new Interpreter(conv).invoke([x])[0] as Int8Array;
  const wasm = new Interpreter(conv, { kernels: "wasm" }).invoke([x])[0] as Int8Array;
  const roundTrip = new Interpreter(readTflite(writeTflite(conv))).invoke([x])[0] as Int8Array;
  const features = computeFrontendFeatures(clip());
  const key = await generateSigningKey({ seed: new Uint8Array(32).fill(9) });
  const pkg = await signModel(writeTflite(conv), key);
  const verified = await verifyModel(pkg, key.publicKey);
  const m = quantizeMultiplier(0.0123456789);
  return {
    conv: hex(reference),
    convWasm: hex(wasm),
    convRoundTrip: hex(roundTrip),
    features: hex(new Uint8Array(features.data.buffer)).slice(0, 400) + `…${features.frames}x${features.channels}`,
    signature: hex(pkg.slice(-64)),
    verifiedBytes: String(verified.model.length),
    multiplier: `${m.multiplier} ${m.shift}`,
  };
}

// Run as a script (`bun run tests/runtime/smoke.ts`): print the results as JSON.
if ((import.meta as { main?: boolean }).main) console.log(JSON.stringify(await smokeResults()));
