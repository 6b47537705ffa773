/* A hand-written identity "model" over many element types and shapes (scalar, empty,
 * sub-byte), with no arena, for testing onnxc_main.c's input checks, --bench input
 * generation and output writing. Output K is a copy of input K. */
#include <string.h>

#include "onnxc_runtime.h"

static const int64_t d5[] = {5}, d3[] = {3}, d2x2[] = {2, 2}, d0x3[] = {0, 3}, d7[] = {7};

#define T(name, type, rank, dims, bytes) {name, type, rank, dims, bytes}
static const onnxc_tensor_desc types_tensors[] = {
  T("f16", ONNXC_FLOAT16, 1, d5, 10),
  T("bf16", ONNXC_BFLOAT16, 1, d3, 6),
  T("b", ONNXC_BOOL, 2, d2x2, 4),
  T("i4", ONNXC_INT4, 1, d5, 3),
  T("u2", ONNXC_UINT2, 1, d7, 2),
  T("i2", ONNXC_INT2, 1, d5, 2),
  T("f8", ONNXC_FLOAT8E4M3FNUZ, 2, d2x2, 4),
  T("f8e5", ONNXC_FLOAT8E5M2, 1, d3, 3),
  T("f4", ONNXC_FLOAT4E2M1, 1, d3, 2),
  T("dbl", ONNXC_DOUBLE, 1, d3, 24),
  T("u8", ONNXC_UINT8, 1, d5, 5),
  T("u32", ONNXC_UINT32, 1, d3, 12),
  T("empty", ONNXC_FLOAT, 2, d0x3, 0),
  T("scalar", ONNXC_INT32, 0, NULL, 4)
};
#define N_TENSORS (int32_t)(sizeof types_tensors / sizeof types_tensors[0])

static int types_run(const void *const *inputs, void *const *outputs, void *arena) {
  int32_t k;
  if (!inputs || !outputs || !arena) return ONNXC_ERR_NULL_ARG;
  for (k = 0; k < N_TENSORS; k++)
    if (types_tensors[k].size_bytes)
      memcpy(outputs[k], inputs[k], types_tensors[k].size_bytes);
  return ONNXC_OK;
}

const onnxc_model types_model = {
  "types", "onnxc test", 0, N_TENSORS, N_TENSORS, types_tensors, types_tensors, types_run, NULL, NULL
};
