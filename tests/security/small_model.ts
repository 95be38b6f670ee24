/** A small real int8 model and its signed package, shared by the emulator tests. */
import type { Graph } from "../../lib/graph/types.ts";
import { quantizeInputs, quantizeModel } from "../../lib/compress/mod.ts";
import { generateSigningKey, signModel, type SigningKey } from "../../lib/security/mod.ts";
import { denseNet, useBackend } from "../../lib/train/mod.ts";

export interface SmallSignedModel {
  graph: Graph;
  tflite: Uint8Array;
  key: SigningKey;
  pkg: Uint8Array;
  samples: Int8Array[];
}

/** A 1 -> 8 -> 1 dense int8 network (untrained weights are fine for integrity checks), signed with a seeded key. */
export async function smallSignedModel(): Promise<SmallSignedModel> {
  await useBackend("cpu");
  const model = denseNet({ inputs: 1, hidden: [8], outputs: 1, seed: 7 });
  const xs = Array.from({ length: 64 }, (_, i) => Float32Array.of((i / 63) * 2 * Math.PI));
  const q = quantizeModel(model, xs, { perChannelDense: false });
  const tflite = q.tflite();
  const key = await generateSigningKey({ seed: new Uint8Array(32).fill(0x42) });
  return { graph: q.graph, tflite, key, pkg: await signModel(tflite, key), samples: quantizeInputs(q.graph, xs.slice(0, 5)) };
}
