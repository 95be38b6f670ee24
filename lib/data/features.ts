/**
 * Small, dependency-free audio embeddings for data checks (near duplicates, label noise), not for
 * training: log energies in a few frequency bands for a few time slices of the clip.
 */
import { fftInPlace } from "../audio/features.ts";

/**
 * Embedding of a clip: `slices` time slices × `bands` log-spaced frequency bands, each the log
 * power of a Hann-windowed 512-sample frame at the slice centre (so ~32 ms at 16 kHz).
 * @example
 * const e = audioEmbedding(samples); // Float32Array(16 * 16)
 */
export function audioEmbedding(samples: Float32Array, opts: { slices?: number; bands?: number; frame?: number } = {}): Float32Array {
  const slices = opts.slices ?? 16, bands = opts.bands ?? 16, frame = opts.frame ?? 512;
  const out = new Float32Array(slices * bands);
  const re = new Float64Array(frame), im = new Float64Array(frame);
  // Band edges spaced logarithmically between bin 2 and Nyquist.
  const edges = Array.from({ length: bands + 1 }, (_, b) => Math.round(2 * (frame / 2 / 2) ** (b / bands)));
  for (let s = 0; s < slices; s++) {
    const centre = Math.round(((s + 0.5) / slices) * samples.length);
    for (let i = 0; i < frame; i++) {
      const j = centre - frame / 2 + i;
      const w = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (frame - 1));
      re[i] = j >= 0 && j < samples.length ? samples[j] * w : 0;
      im[i] = 0;
    }
    fftInPlace(re, im);
    for (let b = 0; b < bands; b++) {
      let p = 0;
      for (let k = edges[b]; k < Math.max(edges[b] + 1, edges[b + 1]); k++) p += re[k] * re[k] + im[k] * im[k];
      out[s * bands + b] = Math.log10(p + 1e-10);
    }
  }
  return out;
}
