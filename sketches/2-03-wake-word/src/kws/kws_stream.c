/* kws_stream.c - streaming keyword spotting (see kws_stream.h). */
#include "kws_stream.h"

#include <string.h>

/* Keyword labels (not _silence_ / _unknown_), generated in kws_config.h. */
static const uint8_t kIsKeyword[KWS_LABELS] = KWS_IS_KEYWORD;
#if KWS_INPUT_LUT
static const int8_t kInputLut[256] = KWS_INPUT_LUT_VALUES;
#endif

void kws_reset(kws_stream *ks) {
  memset(ks, 0, sizeof *ks);
  tmlf_reset(&ks->frontend);
  memset(ks->ring, -128, sizeof ks->ring);
  ks->until_inference = KWS_STRIDE_FRAMES;
  ks->checksum = 2166136261u; /* FNV-1a offset basis */
}

void kws_infer(kws_stream *ks, const kws_model *model) {
  /* The ring starts at `head` (oldest); copy it out in two pieces so the model sees time order. */
  int8_t *in = model->input();
  const size_t row = TMLF_NUM_CHANNELS;
  const size_t older = (size_t)(KWS_FRAMES - ks->head) * row;
  memcpy(in, ks->ring + (size_t)ks->head * row, older);
  memcpy(in + older, ks->ring, (size_t)ks->head * row);
  model->run();
  const int8_t *out = model->output();
  for (int i = 0; i < KWS_LABELS; ++i) {
    ks->scores[i] = out[i];
    ks->checksum = (ks->checksum ^ (uint8_t)out[i]) * 16777619u;
  }
  ks->inferences++;
}

int kws_top_label(const kws_stream *ks) {
  int best = 0;
  for (int i = 1; i < KWS_LABELS; ++i) {
    if (ks->scores[i] > ks->scores[best]) best = i;
  }
  return best;
}

/** Adds the latest scores to the history; returns a detection's label or -1. */
static int32_t update_detection(kws_stream *ks, int32_t *score) {
  for (int i = 0; i < KWS_LABELS; ++i) ks->history[ks->history_pos][i] = (uint8_t)(ks->scores[i] + 128);
  ks->history_pos = (ks->history_pos + 1) % KWS_AVERAGE;
  if (ks->history_count < KWS_AVERAGE) ks->history_count++;
  /* Only a full history is trusted: one lucky inference is not a word. */
  if (ks->history_count < KWS_AVERAGE || ks->suppress_left > 0) return -1;
  int32_t best = -1, best_avg = -1;
  for (int i = 0; i < KWS_LABELS; ++i) {
    if (!kIsKeyword[i]) continue;
    int32_t sum = 0;
    for (int h = 0; h < KWS_AVERAGE; ++h) sum += ks->history[h][i];
    int32_t avg = sum / KWS_AVERAGE;
    if (avg > best_avg) {
      best_avg = avg;
      best = i;
    }
  }
  if (best < 0 || best_avg < KWS_THRESHOLD) return -1;
  *score = best_avg;
  ks->suppress_left = KWS_SUPPRESS_FRAMES;
  return best;
}

int kws_push(kws_stream *ks, const kws_model *model, const int16_t *samples, size_t n, kws_detection *out, int max_out) {
  int found = 0;
  uint16_t features[TMLF_NUM_CHANNELS];
  while (n > 0) {
    size_t read = 0;
    int ready = tmlf_process_samples(&ks->frontend, samples, n, &read, features);
    samples += read;
    n -= read;
    if (!ready) continue;
    int8_t *row = ks->ring + (size_t)ks->head * TMLF_NUM_CHANNELS;
    tmlf_to_int8(features, row, TMLF_NUM_CHANNELS);
#if KWS_INPUT_LUT
    /* The model was quantized with another input scale: map each frontend byte to it (generated table). */
    for (int i = 0; i < TMLF_NUM_CHANNELS; ++i) row[i] = kInputLut[row[i] + 128];
#endif
    ks->head = (ks->head + 1) % KWS_FRAMES;
    ks->frames++;
    if (ks->suppress_left > 0) ks->suppress_left--;
    if (--ks->until_inference > 0) continue;
    ks->until_inference = KWS_STRIDE_FRAMES;
    kws_infer(ks, model);
    int32_t score = 0;
    int32_t label = update_detection(ks, &score);
    if (label >= 0 && found < max_out) {
      out[found].label = label;
      out[found].score = score;
      out[found].frame = ks->frames;
      found++;
    }
  }
  return found;
}
