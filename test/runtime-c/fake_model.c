/* A hand-written stand-in for an onnxc-generated model, for testing onnxc_main.c:
 * y = x + 1 (float [2,3]) and m = n (int64 [4]), computed through a 64-byte arena.
 * Returns ONNXC_ERR_INPUT_VALUE when n[0] == 99, to test the status path. */
#include <string.h>

#include "onnxc_runtime.h"

#define FAKE_ARENA_SIZE 64

static const int64_t x_dims[] = {2, 3};
static const int64_t n_dims[] = {4};

static const onnxc_tensor_desc fake_inputs[] = {
  {"x", ONNXC_FLOAT, 2, x_dims, 24},
  {"n", ONNXC_INT64, 1, n_dims, 32}
};
static const onnxc_tensor_desc fake_outputs[] = {
  {"y", ONNXC_FLOAT, 2, x_dims, 24},
  {"m", ONNXC_INT64, 1, n_dims, 32}
};

static int fake_run(const void *const *inputs, void *const *outputs, void *arena) {
  const float *x;
  const int64_t *n;
  float *tmp = (float *)arena;
  int i;
  if (!inputs || !outputs || !arena) return ONNXC_ERR_NULL_ARG;
  x = (const float *)inputs[0];
  n = (const int64_t *)inputs[1];
  if (n[0] == 99) return ONNXC_ERR_INPUT_VALUE;
  for (i = 0; i < 6; i++) tmp[i] = x[i] + 1.0f;
  memcpy(outputs[0], tmp, 24);
  memcpy(outputs[1], n, 32);
  return ONNXC_OK;
}

const onnxc_model fake_model = {
  "fake", "onnxc test", FAKE_ARENA_SIZE, 2, 2, fake_inputs, fake_outputs, fake_run, NULL, NULL
};
