/* onnxc_npy: reader and writer for NumPy .npy files (format versions 1.0, 2.0 and 3.0),
 * C99 and libc only, sharing onnxc_pb_tensor with the TensorProto reader.
 *
 * Supported: little-endian (or byte-order-free) C-order arrays of bool, int8..int64,
 * uint8..uint64, float16, float32 and float64. Fortran order, big-endian data, object,
 * string, structured and complex arrays are rejected with a one-line message. The header
 * is read with a bound (ONNXC_NPY_MAX_HEADER bytes) before anything is allocated; the data
 * must be exactly as long as the shape implies. The tensor's name is "" (.npy has none).
 * onnxc_tensor_read_file picks the reader by file name: .npy here, anything else .pb.
 */
#ifndef ONNXC_NPY_H
#define ONNXC_NPY_H

#include "onnxc_pb.h"

#define ONNXC_NPY_MAX_HEADER 65536

/* Decode a whole .npy file held in memory into *t (zeroed first). */
int onnxc_npy_decode(const uint8_t *buf, size_t len, onnxc_pb_tensor *t, char *err, size_t errlen);

/* Read a .npy file; the message names the file. */
int onnxc_npy_read_file(const char *path, onnxc_pb_tensor *t, char *err, size_t errlen);

/* Write a .npy file (version 1.0, header padded to 64 bytes as numpy.save does). */
int onnxc_npy_write_file(const char *path, int32_t elem_type, int32_t rank, const int64_t *dims,
                         const void *data, size_t size_bytes, char *err, size_t errlen);

/* Does the path end in ".npy" (any case)? */
int onnxc_is_npy_path(const char *path);

/* .npy by extension, else TensorProto. */
int onnxc_tensor_read_file(const char *path, onnxc_pb_tensor *t, char *err, size_t errlen);

#endif
