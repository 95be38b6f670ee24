/*
 * kws_stream.h - streaming keyword spotting on top of tinyml_frontend: audio in, detections out.
 *
 * Every 20 ms hop the frontend makes one feature frame, which goes into a ring buffer of the last
 * KWS_FRAMES frames (the model's input window). Every KWS_STRIDE_FRAMES frames the window is copied in
 * time order into the model's input and the model runs. Its scores (int8, softmax scale 1/256) are
 * averaged over the last KWS_AVERAGE inferences; a keyword whose average reaches KWS_THRESHOLD is reported,
 * then detections are suppressed for KWS_SUPPRESS_FRAMES frames so one word is reported once.
 * Integer arithmetic only, so the board and tinyml-kit's TypeScript simulation agree exactly.
 */
#ifndef KWS_STREAM_H
#define KWS_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "../frontend/tinyml_frontend.h"
#include "kws_config.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The model, as three calls (the generated library's <name>_input / _run / _output). */
typedef struct {
  int8_t *(*input)(void);
  void (*run)(void);
  const int8_t *(*output)(void);
} kws_model;

/** A keyword heard: label index, its averaged score (0..255) and the frame count when it was reported. */
typedef struct {
  int32_t label;
  int32_t score;
  int32_t frame;
} kws_detection;

/** Everything the spotter keeps (static RAM, no heap). */
typedef struct {
  tmlf_state frontend;
  /* The last KWS_FRAMES feature frames; `head` is where the next frame goes (= the oldest one). */
  int8_t ring[KWS_FRAMES * TMLF_NUM_CHANNELS];
  int32_t head;
  /* Frames since reset, and frames left before the next inference. */
  int32_t frames;
  int32_t until_inference;
  /* Scores of the last KWS_AVERAGE inferences, as uint8 (score + 128). */
  uint8_t history[KWS_AVERAGE][KWS_LABELS];
  int32_t history_count;
  int32_t history_pos;
  int32_t suppress_left;
  /* Latest inference: raw int8 scores and how many inferences ran; a running checksum of all scores. */
  int8_t scores[KWS_LABELS];
  int32_t inferences;
  uint32_t checksum;
} kws_stream;

/** Starts over: silent window (-128), empty history, frontend reset. */
void kws_reset(kws_stream *ks);

/**
 * Feeds audio. Returns the number of detections written to `out` (at most `max_out`; a 20 ms hop gives at
 * most one). Call with any chunk size, e.g. what the PDM callback delivered.
 */
int kws_push(kws_stream *ks, const kws_model *model, const int16_t *samples, size_t n, kws_detection *out, int max_out);

/** Runs the model on the current window now (time order, oldest frame first); updates scores/checksum. */
void kws_infer(kws_stream *ks, const kws_model *model);

/** Index of the highest score of the latest inference. */
int kws_top_label(const kws_stream *ks);

#ifdef __cplusplus
}
#endif

#endif /* KWS_STREAM_H */
