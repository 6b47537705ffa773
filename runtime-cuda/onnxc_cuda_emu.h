/* onnxc_cuda_emu: runs a generated NAME.cu on the CPU, compiled as C++17 by g++/clang++.
 *
 * onnxc_cuda.h includes this header when the compiler is not nvcc. It supplies the CUDA
 * language extensions and the runtime-API subset that generated code uses:
 *   - dim3/uint3, threadIdx/blockIdx/blockDim/gridDim (thread_local), warpSize;
 *   - __global__ __device__ __host__ __shared__ __forceinline__ __launch_bounds__(...);
 *   - __syncthreads, __syncwarp, __shfl_sync/_up/_down/_xor (32-lane warps), atomics,
 *     rsqrtf, __ldg and a few fast-math intrinsics;
 *   - cudaMalloc/Free/Memcpy(Async)/Memset(Async), streams, events, cudaGetLastError & co.
 * Launches (onnxc_emu::launch, reached through ONNXC_LAUNCH) are synchronous; blocks run
 * one after another. A kernel launched with barrier = 0 runs its threads one after another
 * on the calling thread. With barrier = 1 every thread of a block is a real std::thread:
 * __syncthreads is a block barrier, shuffles exchange values through a per-warp slot array
 * between two warp barriers. So a missing __syncthreads is a real data race, which
 * ThreadSanitizer (-fsanitize=thread) reports.
 * __shared__ is `static`: one copy per kernel, shared by the threads of a block. That is
 * right because blocks never overlap and one launch runs at a time (launches are
 * synchronous and, like a single CUDA stream, expected from one host thread).
 * Launch configurations are checked as a GPU does (block <= 1024 threads, x/y <= 1024,
 * z <= 64, grid dims >= 1, dynamic shared memory <= 48 KiB); a bad one does not run and
 * is reported by cudaGetLastError. Static __shared__ sizes are not visible here:
 * checkNvcc (src/runners/cuda.ts) checks them from ptxas' report.
 * Device memory is host memory; cudaMemcpy checks that its device side lies inside a
 * cudaMalloc'd block. Test hooks (environment): ONNXC_EMU_FAIL_MALLOC=N makes the N-th
 * cudaMalloc (from 1) fail; ONNXC_EMU_REPORT_LEAKS=1 prints the live allocations at exit.
 */
#ifndef ONNXC_CUDA_EMU_H
#define ONNXC_CUDA_EMU_H

#ifndef __cplusplus
#error "onnxc_cuda_emu.h is C++: compile NAME.cu with g++ -x c++ -std=c++17"
#endif

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __linux__
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#define __global__
#define __device__
#define __host__
#define __shared__ static
#define __forceinline__ inline
#define __launch_bounds__(...)
#define __noinline__ __attribute__((noinline))

struct uint3 { unsigned x, y, z; };
struct dim3 {
  unsigned x, y, z;
  constexpr dim3(unsigned x_ = 1, unsigned y_ = 1, unsigned z_ = 1) : x(x_), y(y_), z(z_) {}
};

inline thread_local uint3 threadIdx = {0, 0, 0};
inline thread_local uint3 blockIdx = {0, 0, 0};
inline thread_local dim3 blockDim;
inline thread_local dim3 gridDim;
static const int warpSize = 32;

/* ---- runtime API: errors, memory, streams ---- */

enum cudaError_t {
  cudaSuccess = 0,
  cudaErrorInvalidValue = 1,
  cudaErrorMemoryAllocation = 2,
  cudaErrorInvalidConfiguration = 9,
  cudaErrorInvalidDevicePointer = 17,
  cudaErrorInvalidMemcpyDirection = 21,
  cudaErrorInvalidResourceHandle = 400,
  cudaErrorLaunchOutOfResources = 701,
  cudaErrorLaunchFailure = 719
};
typedef cudaError_t cudaError;

enum cudaMemcpyKind {
  cudaMemcpyHostToHost = 0, cudaMemcpyHostToDevice = 1, cudaMemcpyDeviceToHost = 2,
  cudaMemcpyDeviceToDevice = 3, cudaMemcpyDefault = 4
};

struct onnxc_emu_stream { int unused; };
typedef onnxc_emu_stream *cudaStream_t;

namespace onnxc_emu {

struct state {
  std::mutex m;
  std::map<const char *, size_t> allocs; /* device blocks: start -> bytes */
  std::atomic<int> last_error{cudaSuccess};
  long mallocs = 0, fail_at = -1;
  bool report_leaks = false;
  state() {
    const char *f = getenv("ONNXC_EMU_FAIL_MALLOC"), *r = getenv("ONNXC_EMU_REPORT_LEAKS");
    if (f && *f) fail_at = atol(f);
    report_leaks = r && *r == '1';
  }
  ~state() {
    if (report_leaks) fprintf(stderr, "onnxc_emu: %zu device allocation(s) live at exit\n", allocs.size());
  }
};

inline state &st() {
  static state s;
  return s;
}

inline cudaError_t fail(cudaError_t e) {
  st().last_error = e;
  return e;
}

/* Whether [p, p + n) lies inside one device allocation. */
inline bool is_device(const void *p, size_t n) {
  state &s = st();
  std::lock_guard<std::mutex> l(s.m);
  const char *c = static_cast<const char *>(p);
  auto it = s.allocs.upper_bound(c);
  if (it == s.allocs.begin()) return false;
  --it;
  return c >= it->first && n <= it->second && static_cast<size_t>(c - it->first) <= it->second - n;
}

}  // namespace onnxc_emu

inline const char *cudaGetErrorString(cudaError_t e) {
  switch (e) {
    case cudaSuccess: return "no error";
    case cudaErrorInvalidValue: return "invalid argument";
    case cudaErrorMemoryAllocation: return "out of memory";
    case cudaErrorInvalidConfiguration: return "invalid configuration argument";
    case cudaErrorInvalidDevicePointer: return "invalid device pointer";
    case cudaErrorInvalidMemcpyDirection: return "invalid copy direction for memcpy";
    case cudaErrorInvalidResourceHandle: return "invalid resource handle";
    case cudaErrorLaunchOutOfResources: return "too many resources requested for launch";
    case cudaErrorLaunchFailure: return "unspecified launch failure";
  }
  return "unknown error";
}
inline cudaError_t cudaGetLastError() {
  return static_cast<cudaError_t>(onnxc_emu::st().last_error.exchange(cudaSuccess));
}
inline cudaError_t cudaPeekAtLastError() {
  return static_cast<cudaError_t>(onnxc_emu::st().last_error.load());
}

inline cudaError_t cudaMalloc(void **p, size_t n) {
  onnxc_emu::state &s = onnxc_emu::st();
  if (!p) return onnxc_emu::fail(cudaErrorInvalidValue);
  *p = nullptr;
  std::lock_guard<std::mutex> l(s.m);
  if (++s.mallocs == s.fail_at) return cudaErrorMemoryAllocation;
  size_t bytes = (n + 255) / 256 * 256; /* cudaMalloc memory is 256-byte aligned */
  void *q = aligned_alloc(256, bytes ? bytes : 256);
  if (!q) return cudaErrorMemoryAllocation;
  s.allocs[static_cast<const char *>(q)] = n;
  *p = q;
  return cudaSuccess;
}
template <class T>
inline cudaError_t cudaMalloc(T **p, size_t n) {
  return cudaMalloc(reinterpret_cast<void **>(p), n);
}
inline cudaError_t cudaFree(void *p) {
  if (!p) return cudaSuccess;
  onnxc_emu::state &s = onnxc_emu::st();
  std::lock_guard<std::mutex> l(s.m);
  auto it = s.allocs.find(static_cast<const char *>(p));
  if (it == s.allocs.end()) return onnxc_emu::fail(cudaErrorInvalidDevicePointer);
  s.allocs.erase(it);
  free(p);
  return cudaSuccess;
}

inline cudaError_t cudaMemcpy(void *dst, const void *src, size_t n, cudaMemcpyKind k) {
  bool dst_dev = k == cudaMemcpyHostToDevice || k == cudaMemcpyDeviceToDevice;
  bool src_dev = k == cudaMemcpyDeviceToHost || k == cudaMemcpyDeviceToDevice;
  if (k > cudaMemcpyDefault) return onnxc_emu::fail(cudaErrorInvalidMemcpyDirection);
  if (n == 0) return cudaSuccess;
  if (!dst || !src) return onnxc_emu::fail(cudaErrorInvalidValue);
  if ((dst_dev && !onnxc_emu::is_device(dst, n)) || (src_dev && !onnxc_emu::is_device(src, n)))
    return onnxc_emu::fail(cudaErrorInvalidValue);
  memmove(dst, src, n);
  return cudaSuccess;
}
inline cudaError_t cudaMemcpyAsync(void *dst, const void *src, size_t n, cudaMemcpyKind k,
                                   cudaStream_t = nullptr) {
  return cudaMemcpy(dst, src, n, k);
}
inline cudaError_t cudaMemset(void *p, int v, size_t n) {
  if (n == 0) return cudaSuccess;
  if (!onnxc_emu::is_device(p, n)) return onnxc_emu::fail(cudaErrorInvalidValue);
  memset(p, v, n);
  return cudaSuccess;
}
inline cudaError_t cudaMemsetAsync(void *p, int v, size_t n, cudaStream_t = nullptr) {
  return cudaMemset(p, v, n);
}

inline cudaError_t cudaStreamCreate(cudaStream_t *s) {
  if (!s) return onnxc_emu::fail(cudaErrorInvalidValue);
  *s = new onnxc_emu_stream();
  return cudaSuccess;
}
inline cudaError_t cudaStreamDestroy(cudaStream_t s) {
  delete s;
  return cudaSuccess;
}
inline cudaError_t cudaStreamSynchronize(cudaStream_t) {
  return static_cast<cudaError_t>(onnxc_emu::st().last_error.load() == cudaErrorLaunchFailure
                                      ? cudaErrorLaunchFailure : cudaSuccess);
}
inline cudaError_t cudaDeviceSynchronize() { return cudaStreamSynchronize(nullptr); }

/* Events: a launch has finished when it returns, so an event records the host's clock. */
struct onnxc_emu_event { std::chrono::steady_clock::time_point at; bool recorded; };
typedef onnxc_emu_event *cudaEvent_t;
inline cudaError_t cudaEventCreate(cudaEvent_t *e) {
  if (!e) return onnxc_emu::fail(cudaErrorInvalidValue);
  *e = new onnxc_emu_event{std::chrono::steady_clock::now(), false};
  return cudaSuccess;
}
inline cudaError_t cudaEventDestroy(cudaEvent_t e) {
  if (!e) return onnxc_emu::fail(cudaErrorInvalidResourceHandle);
  delete e;
  return cudaSuccess;
}
inline cudaError_t cudaEventRecord(cudaEvent_t e, cudaStream_t = nullptr) {
  if (!e) return onnxc_emu::fail(cudaErrorInvalidResourceHandle);
  e->at = std::chrono::steady_clock::now();
  e->recorded = true;
  return cudaSuccess;
}
inline cudaError_t cudaEventSynchronize(cudaEvent_t e) {
  if (!e) return onnxc_emu::fail(cudaErrorInvalidResourceHandle);
  return cudaStreamSynchronize(nullptr);
}
/* Milliseconds from start to end; both must have been recorded. */
inline cudaError_t cudaEventElapsedTime(float *ms, cudaEvent_t start, cudaEvent_t end) {
  if (!ms || !start || !end) return onnxc_emu::fail(cudaErrorInvalidResourceHandle);
  if (!start->recorded || !end->recorded) return onnxc_emu::fail(cudaErrorInvalidResourceHandle);
  *ms = std::chrono::duration<float, std::milli>(end->at - start->at).count();
  return cudaSuccess;
}

/* ---- device side: barriers, the running block, warp shuffles ---- */

namespace onnxc_emu {

/* Sleeps while *word == v (Linux futex; elsewhere a yield loop) / wakes all sleepers. */
inline void word_wait(std::atomic<int> *word, int v) {
#ifdef __linux__
  syscall(SYS_futex, reinterpret_cast<int *>(word), FUTEX_WAIT_PRIVATE, v, nullptr, nullptr, 0);
#else
  (void)word; (void)v;
  std::this_thread::yield();
#endif
}
inline void word_wake(std::atomic<int> *word) {
#ifdef __linux__
  syscall(SYS_futex, reinterpret_cast<int *>(word), FUTEX_WAKE_PRIVATE, 0x7fffffff, nullptr, nullptr, 0);
#else
  (void)word;
#endif
}

/* A reusable barrier for a changing set of threads; drop() removes a finished thread.
 * Arrivals are counted under a mutex, but waiters sleep on an atomic generation and never
 * take the mutex again: a thread that passed the barrier and then drops out must not be
 * ordered before the others' later work, or ThreadSanitizer would miss a missing barrier. */
class barrier {
  std::mutex m_;
  std::atomic<int> gen_{0};
  unsigned expected_ = 0, arrived_ = 0;
  void release() { arrived_ = 0; gen_.fetch_add(1, std::memory_order_release); word_wake(&gen_); }

 public:
  void reset(unsigned n) { std::lock_guard<std::mutex> l(m_); expected_ = n; arrived_ = 0; }
  /* Waits for the others; the last to arrive runs done() before anyone goes on. */
  template <class F>
  void wait(F done) {
    int g;
    {
      std::lock_guard<std::mutex> l(m_);
      g = gen_.load(std::memory_order_relaxed);
      if (++arrived_ == expected_) { done(); release(); return; }
    }
    while (gen_.load(std::memory_order_acquire) == g) word_wait(&gen_, g);
  }
  void wait() { wait([] {}); }
  void drop() {
    std::lock_guard<std::mutex> l(m_);
    if (--expected_ == arrived_ && arrived_) release();
  }
};

/* What the threads of one concurrently run block share. */
struct block_ctx {
  barrier sync;                        /* __syncthreads */
  barrier warp_sync[32];               /* shuffles, one per warp */
  unsigned long long slot[1024];       /* a shuffle's values, by thread */
  unsigned nthreads = 0;
  unsigned warp_threads(unsigned w) const { return nthreads - 32 * w < 32 ? nthreads - 32 * w : 32; }
};

inline thread_local block_ctx *cur_block = nullptr; /* null: threads run one by one */

inline unsigned linear_tid() {
  return threadIdx.x + blockDim.x * (threadIdx.y + blockDim.y * threadIdx.z);
}

inline void not_concurrent(const char *what) {
  if (blockDim.x * blockDim.y * blockDim.z == 1) return;
  if (st().last_error.exchange(cudaErrorLaunchFailure) != cudaErrorLaunchFailure) /* once */
    fprintf(stderr, "onnxc_emu: %s in a kernel launched with barrier = 0 (its threads ran one by one)\n", what);
}

/* Lane `src` of this thread's warp sees v's bits; src outside the warp or the block: own. */
template <class T>
inline T shuffle(T v, int src_lane_in_warp) {
  static_assert(sizeof(T) <= 8, "shuffles move at most 8 bytes");
  block_ctx *b = cur_block;
  if (!b) { not_concurrent("a warp shuffle"); return v; }
  unsigned t = linear_tid(), w = t / 32;
  unsigned long long bits = 0, got;
  memcpy(&bits, &v, sizeof(T));
  b->slot[t] = bits;
  b->warp_sync[w].wait();
  unsigned src = 32 * w + static_cast<unsigned>(src_lane_in_warp);
  got = src_lane_in_warp >= 0 && src_lane_in_warp < 32 && src < b->nthreads ? b->slot[src] : bits;
  b->warp_sync[w].wait();
  T r;
  memcpy(&r, &got, sizeof(T));
  return r;
}

}  // namespace onnxc_emu

inline void __syncthreads() {
  if (onnxc_emu::cur_block) onnxc_emu::cur_block->sync.wait();
  else onnxc_emu::not_concurrent("__syncthreads");
}
inline void __syncwarp(unsigned = 0xffffffffu) {
  if (onnxc_emu::cur_block) onnxc_emu::cur_block->warp_sync[onnxc_emu::linear_tid() / 32].wait();
  else onnxc_emu::not_concurrent("__syncwarp");
}

template <class T>
inline T __shfl_sync(unsigned, T v, int src, int width = warpSize) {
  int lane = static_cast<int>(onnxc_emu::linear_tid() % 32);
  return onnxc_emu::shuffle(v, lane / width * width + ((src % width) + width) % width);
}
template <class T>
inline T __shfl_down_sync(unsigned, T v, unsigned delta, int width = warpSize) {
  int lane = static_cast<int>(onnxc_emu::linear_tid() % 32), in = lane % width + static_cast<int>(delta);
  return onnxc_emu::shuffle(v, in < width ? lane + static_cast<int>(delta) : lane);
}
template <class T>
inline T __shfl_up_sync(unsigned, T v, unsigned delta, int width = warpSize) {
  int lane = static_cast<int>(onnxc_emu::linear_tid() % 32), in = lane % width - static_cast<int>(delta);
  return onnxc_emu::shuffle(v, in >= 0 ? lane - static_cast<int>(delta) : lane);
}
template <class T>
inline T __shfl_xor_sync(unsigned, T v, int mask, int width = warpSize) {
  int lane = static_cast<int>(onnxc_emu::linear_tid() % 32), src = lane ^ mask;
  return onnxc_emu::shuffle(v, src / width == lane / width ? src : lane);
}

/* ---- atomics (GCC builtins: real atomics between the threads of a block) ---- */

inline int atomicAdd(int *p, int v) { return __atomic_fetch_add(p, v, __ATOMIC_SEQ_CST); }
inline unsigned atomicAdd(unsigned *p, unsigned v) { return __atomic_fetch_add(p, v, __ATOMIC_SEQ_CST); }
inline unsigned long long atomicAdd(unsigned long long *p, unsigned long long v) {
  return __atomic_fetch_add(p, v, __ATOMIC_SEQ_CST);
}
template <class F, class U>
inline F onnxc_emu_atomic_float_add(F *p, F v) {
  U *u = reinterpret_cast<U *>(p), old = __atomic_load_n(u, __ATOMIC_SEQ_CST), upd;
  F f;
  do {
    memcpy(&f, &old, sizeof f);
    F n = f + v;
    memcpy(&upd, &n, sizeof upd);
  } while (!__atomic_compare_exchange_n(u, &old, upd, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST));
  return f;
}
inline float atomicAdd(float *p, float v) { return onnxc_emu_atomic_float_add<float, uint32_t>(p, v); }
inline double atomicAdd(double *p, double v) { return onnxc_emu_atomic_float_add<double, uint64_t>(p, v); }
inline int atomicSub(int *p, int v) { return __atomic_fetch_sub(p, v, __ATOMIC_SEQ_CST); }
inline int atomicExch(int *p, int v) { return __atomic_exchange_n(p, v, __ATOMIC_SEQ_CST); }
inline int atomicCAS(int *p, int cmp, int v) {
  __atomic_compare_exchange_n(p, &cmp, v, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
  return cmp;
}
inline int atomicMax(int *p, int v) {
  int old = __atomic_load_n(p, __ATOMIC_SEQ_CST);
  while (old < v && !__atomic_compare_exchange_n(p, &old, v, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {}
  return old;
}
inline int atomicMin(int *p, int v) {
  int old = __atomic_load_n(p, __ATOMIC_SEQ_CST);
  while (old > v && !__atomic_compare_exchange_n(p, &old, v, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {}
  return old;
}

/* ---- math and load intrinsics that CUDA has and libm lacks ---- */

inline float rsqrtf(float x) { return 1.0f / sqrtf(x); }
inline double rsqrt(double x) { return 1.0 / sqrt(x); }
inline float __expf(float x) { return expf(x); }
inline float __logf(float x) { return logf(x); }
inline float __fdividef(float a, float b) { return a / b; }
inline float __saturatef(float x) { return x < 0.0f ? 0.0f : x > 1.0f ? 1.0f : x; }
inline int min(int a, int b) { return a < b ? a : b; }
inline int max(int a, int b) { return a > b ? a : b; }
inline float min(float a, float b) { return fminf(a, b); }
inline float max(float a, float b) { return fmaxf(a, b); }
template <class T>
inline T __ldg(const T *p) { return *p; }

/* ---- launches ---- */

namespace onnxc_emu {

/* cudaSuccess, or why a GPU would refuse this configuration. */
inline cudaError_t check_config(dim3 g, dim3 b, size_t shared_bytes) {
  if (!b.x || !b.y || !b.z || !g.x || !g.y || !g.z) return cudaErrorInvalidConfiguration;
  if (b.x > 1024 || b.y > 1024 || b.z > 64 || static_cast<unsigned long long>(b.x) * b.y * b.z > 1024)
    return cudaErrorInvalidConfiguration;
  if (g.x > 2147483647u || g.y > 65535 || g.z > 65535) return cudaErrorInvalidConfiguration;
  if (shared_bytes > 48 * 1024) return cudaErrorInvalidValue;
  return cudaSuccess;
}

inline void set_block(unsigned blk, dim3 g) {
  blockIdx = {blk % g.x, blk / g.x % g.y, blk / g.x / g.y};
}
inline void set_thread(unsigned t, dim3 b) {
  threadIdx = {t % b.x, t / b.x % b.y, t / b.x / b.y};
}

/* Runs body(arg) for every thread of every block; threads of a block concurrent if barrier.
 * Not a template, so a .cu with many kernels compiles it once. */
inline void run_grid(dim3 g, dim3 b, int barrier_, void (*body)(const void *), const void *arg) {
  unsigned long long nblocks = static_cast<unsigned long long>(g.x) * g.y * g.z;
  unsigned nthreads = b.x * b.y * b.z;
  if (!barrier_) {
    gridDim = g; blockDim = b;
    for (unsigned long long blk = 0; blk < nblocks; blk++)
      for (unsigned t = 0; t < nthreads; t++) {
        set_block(static_cast<unsigned>(blk), g);
        set_thread(t, b);
        body(arg);
      }
    return;
  }
  block_ctx ctx;
  barrier block_end;
  auto reset = [&] {
    ctx.nthreads = nthreads;
    ctx.sync.reset(nthreads);
    for (unsigned w = 0; w * 32 < nthreads; w++) ctx.warp_sync[w].reset(ctx.warp_threads(w));
  };
  reset();
  block_end.reset(nthreads);
  std::vector<std::thread> threads;
  threads.reserve(nthreads);
  for (unsigned t = 0; t < nthreads; t++)
    threads.emplace_back([&, t] {
      gridDim = g; blockDim = b;
      set_thread(t, b);
      cur_block = &ctx;
      for (unsigned long long blk = 0; blk < nblocks; blk++) {
        set_block(static_cast<unsigned>(blk), g);
        body(arg);
        ctx.sync.drop(); /* a finished thread no longer holds the others back */
        ctx.warp_sync[t / 32].drop();
        block_end.wait(reset);
      }
      cur_block = nullptr;
    });
  for (std::thread &th : threads) th.join();
}

/* A kernel launch: checks the configuration, converts the arguments once, runs the grid. */
template <class... P, class... A>
void launch(dim3 g, dim3 b, size_t shared_bytes, cudaStream_t, int barrier_, void (*kernel)(P...), A &&...args) {
  cudaError_t e = check_config(g, b, shared_bytes);
  if (e != cudaSuccess) { fail(e); return; }
  struct call { void (*k)(P...); std::tuple<P...> a; } c{kernel, std::tuple<P...>(std::forward<A>(args)...)};
  run_grid(g, b, barrier_, [](const void *p) {
    const call *c = static_cast<const call *>(p);
    std::apply(c->k, c->a);
  }, &c);
}

}  // namespace onnxc_emu

#endif
