/* onnxc_pb: a small, self-contained reader and writer for ONNX TensorProto messages
 * (the .pb files of the ONNX backend test data). C99, libc only, no protobuf library.
 *
 * The reader turns any supported TensorProto (typed *_data fields or raw_data, packed
 * or unpacked) into one dense little-endian buffer of the element type's natural size;
 * 4-bit types are packed two per byte, low nibble first. The writer emits dims,
 * data_type, name and raw_data. Every function returns an onnxc_pb_status and, on
 * failure, writes a one-line message into err (if err is non-NULL and errlen > 0).
 * Malformed input is an error, never a crash.
 */
#ifndef ONNXC_PB_H
#define ONNXC_PB_H

#include <stddef.h>
#include <stdint.h>

#include "onnxc_runtime.h"

enum onnxc_pb_status {
  ONNXC_PB_OK = 0,
  ONNXC_PB_ERR_IO = 1,          /* file could not be opened, read or written */
  ONNXC_PB_ERR_MALFORMED = 2,   /* not valid protobuf, or inconsistent TensorProto */
  ONNXC_PB_ERR_UNSUPPORTED = 3, /* valid but unsupported: strings, external data, ... */
  ONNXC_PB_ERR_NOMEM = 4,
  ONNXC_PB_ERR_ARG = 5          /* invalid argument passed to the writer */
};

/* A decoded tensor. All pointers are owned (free with onnxc_pb_tensor_free) and non-NULL
 * after a successful read, even for empty tensors. */
typedef struct onnxc_pb_tensor {
  char *name;           /* NUL-terminated; "" when the message has no name */
  int32_t elem_type;    /* ONNX TensorProto.DataType (enum onnxc_elem_type) */
  int32_t rank;
  int64_t *dims;        /* rank entries, all >= 0 */
  int64_t num_elems;    /* product of dims (1 for rank 0) */
  size_t size_bytes;    /* bytes of data */
  void *data;           /* dense, row-major, little-endian */
} onnxc_pb_tensor;

/* Writes the printf-style message into err (when err is non-NULL and errlen > 0) and returns
 * code: the one error path of this reader and of onnxc_npy. */
#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
int onnxc_pb_fail(char *err, size_t errlen, int code, const char *fmt, ...);

/* Bits of one element (4 for int4/uint4/float4e2m1), or 0 for string/unknown types. */
int onnxc_elem_bits(int32_t elem_type);

/* Short lower-case type name ("float", "int64", "float16", ...), "?" if unknown. */
const char *onnxc_elem_type_name(int32_t elem_type);

/* Element count and dense byte size of a tensor; checks dims >= 0 and overflow. */
int onnxc_dense_size(int32_t elem_type, int32_t rank, const int64_t *dims,
                     int64_t *num_elems, size_t *size_bytes, char *err, size_t errlen);

/* Decode a serialized TensorProto from memory into *t (zeroed first). */
int onnxc_pb_decode(const uint8_t *buf, size_t len, onnxc_pb_tensor *t,
                    char *err, size_t errlen);

/* Read a whole file and decode it. The message names the file. */
int onnxc_pb_read_file(const char *path, onnxc_pb_tensor *t, char *err, size_t errlen);

/* Encode a TensorProto (dims, data_type, name, raw_data) into a malloc'd buffer *out.
 * size_bytes must equal the dense size implied by elem_type and dims. */
int onnxc_pb_encode(const char *name, int32_t elem_type, int32_t rank, const int64_t *dims,
                    const void *data, size_t size_bytes, uint8_t **out, size_t *out_len,
                    char *err, size_t errlen);

/* Encode as above and write to path (created or truncated). */
int onnxc_pb_write_file(const char *path, const char *name, int32_t elem_type, int32_t rank,
                        const int64_t *dims, const void *data, size_t size_bytes,
                        char *err, size_t errlen);

/* Free what a read/decode allocated and zero *t. Safe on a zeroed or failed tensor. */
void onnxc_pb_tensor_free(onnxc_pb_tensor *t);

#endif
