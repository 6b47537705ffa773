// onnxc_hls_stream.h: a stand-in for Vitis HLS's <hls_stream.h>, for C-simulating --hls-dataflow
// designs where the vendor header is absent (g++ here). A design includes it only when
// `__has_include(<hls_stream.h>)` is false, so under Vitis the vendor stream is used. It has the
// subset of hls::stream the designs use: construction with a name, read() (both forms), write(),
// empty(), full() and size(). The FIFO is unbounded (depth is the `#pragma HLS STREAM` of the
// design, which C-simulation ignores, as Vitis's own C-simulation does). Stricter than the
// vendor's warnings: reading an empty stream, or a stream destroyed with data left in it,
// prints the stream's name and aborts, so a design that would deadlock or drop data fails its
// C-simulation here.

/** The header's file name in an output folder (not hls_stream.h: it must not shadow the vendor's). */
export const STREAM_HEADER = 'onnxc_hls_stream.h';

/** The lines a dataflow design includes its stream header with. */
export const streamIncludes = (): string[] =>
  ['#if __has_include(<hls_stream.h>)', '#include <hls_stream.h>', '#else', `#include "${STREAM_HEADER}"`, '#endif'];

export const streamHeaderSource = (banner: string): string => `${banner}
#ifndef ONNXC_HLS_STREAM_H
#define ONNXC_HLS_STREAM_H

#include <deque>
#include <stdio.h>
#include <stdlib.h>
#include <string>

namespace hls {

/* A FIFO channel between dataflow processes (the vendor API subset onnxc designs use). */
template <typename T> class stream {
 public:
  stream() : name_("unnamed") {}
  explicit stream(const char *name) : name_(name) {}
  ~stream() {
    if (!q_.empty()) {
      fprintf(stderr, "hls::stream '%s' destroyed with %zu elements unread\\n", name_.c_str(), q_.size());
      abort();
    }
  }
  stream(const stream &) = delete;
  stream &operator=(const stream &) = delete;

  T read() {
    if (q_.empty()) {
      fprintf(stderr, "hls::stream '%s' read while empty (a dataflow design that would deadlock)\\n", name_.c_str());
      abort();
    }
    T v = q_.front();
    q_.pop_front();
    return v;
  }
  void read(T &v) { v = read(); }
  void write(const T &v) { q_.push_back(v); }
  bool empty() const { return q_.empty(); }
  bool full() const { return false; }
  size_t size() const { return q_.size(); }

 private:
  std::string name_;
  std::deque<T> q_;
};

}  // namespace hls

#endif
`;
