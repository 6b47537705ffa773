/* onnxc_startup: the smallest Cortex-M start for running an onnxc model under QEMU (or on a
 * board with a debugger that answers semihosting). The vector table gives the initial stack
 * and the reset handler; reset copies .data, clears .bss, turns the FPU on where the core has
 * one, reads the command line over semihosting (SYS_GET_CMDLINE), calls main, and reports its
 * status as the exit code (SYS_EXIT_EXTENDED). A fault exits with status 3.
 * Build: arm-none-eabi-gcc <cpu flags> --specs=rdimon.specs -nostartfiles -T onnxc_link.ld
 * (newlib's librdimon makes stdio semihosted). Symbols come from onnxc_link.ld. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

extern uint32_t __data_load, __data_start, __data_end, __bss_start, __bss_end, __stack_top;
extern int main(int argc, char **argv);
extern void initialise_monitor_handles(void);

/* One semihosting call: operation op, parameter block arg; returns r0. */
static int semihost(int op, void *arg) {
  register int r0 __asm__("r0") = op;
  register void *r1 __asm__("r1") = arg;
  __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
}

#define SYS_GET_CMDLINE 0x15
#define SYS_EXIT_EXTENDED 0x20
#define ADP_STOPPED_APPLICATION_EXIT 0x20026

static void onnxc_exit(int status) {
  uint32_t block[2];
  block[0] = ADP_STOPPED_APPLICATION_EXIT;
  block[1] = (uint32_t)status;
  semihost(SYS_EXIT_EXTENDED, block);
  for (;;) {
  }
}

#define MAX_ARGS 64
static char cmdline[4096];
static char *argv_list[MAX_ARGS + 1];

/* Splits the host's command line at spaces (onnxc quotes nothing: paths have no spaces). */
static int read_args(void) {
  uint32_t block[2];
  int argc = 0;
  char *p = cmdline;
  block[0] = (uint32_t)(uintptr_t)cmdline;
  block[1] = sizeof cmdline - 1;
  if (semihost(SYS_GET_CMDLINE, block) != 0) cmdline[0] = 0;
  cmdline[sizeof cmdline - 1] = 0;
  while (*p && argc < MAX_ARGS) {
    while (*p == ' ') *p++ = 0;
    if (!*p) break;
    argv_list[argc++] = p;
    while (*p && *p != ' ') p++;
  }
  argv_list[argc] = 0;
  return argc;
}

/* ---- time: SysTick on the core clock, counting wraps; QEMU's -icount makes it count
 * instructions (shift=0: one instruction per virtual nanosecond), so runs are deterministic ---- */
#ifndef ONNXC_SYSCLK_HZ
#define ONNXC_SYSCLK_HZ 25000000u
#endif
#define SYST_CSR (*(volatile uint32_t *)0xE000E010)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018)
#define SYST_RELOAD 0xFFFFFFu
static volatile uint32_t systick_wraps;

static void SysTick_Handler(void) { systick_wraps++; }

static void start_clock(void) {
  SYST_RVR = SYST_RELOAD;
  SYST_CVR = 0;
  SYST_CSR = 7; /* core clock, interrupt on wrap, enabled */
}

/* Core-clock ticks since reset (the wrap count read twice so a wrap in between is seen). */
static uint64_t ticks(void) {
  uint32_t w, v;
  do {
    w = systick_wraps;
    v = SYST_CVR;
  } while (w != systick_wraps);
  return (uint64_t)w * (SYST_RELOAD + 1u) + (SYST_RELOAD - v);
}

/* The clock onnxc_main reads (built with -DONNXC_EXTERNAL_CLOCK). */
void onnxc_clock(struct timespec *t) {
  uint64_t ns = ticks() * (1000000000u / ONNXC_SYSCLK_HZ);
  t->tv_sec = (time_t)(ns / 1000000000u);
  t->tv_nsec = (long)(ns % 1000000000u);
}

void Reset_Handler(void) {
  uint32_t *src = &__data_load, *dst = &__data_start;
  int argc;
  while (dst < &__data_end) *dst++ = *src++;
  for (dst = &__bss_start; dst < &__bss_end;) *dst++ = 0;
#if defined(__ARM_FP)
  /* CPACR: full access to CP10 and CP11 (the FPU) */
  *(volatile uint32_t *)0xE000ED88 |= 0xFu << 20;
  __asm__ volatile("dsb\n\tisb" ::: "memory");
#endif
  initialise_monitor_handles();
  start_clock();
  argc = read_args();
  {
    int status = main(argc, argv_list);
    fflush(stdout);
    fflush(stderr);
    onnxc_exit(status);
  }
}

static void Fault_Handler(void) {
  fputs("error: the core faulted (HardFault: a bad address, an unaligned access or a stack overflow)\n", stderr);
  onnxc_exit(3);
}

typedef void (*vector)(void);
__attribute__((section(".isr_vector"), used)) static const vector vectors[16] = {
  (vector)(uintptr_t)&__stack_top, Reset_Handler, Fault_Handler, Fault_Handler, Fault_Handler,
  Fault_Handler, Fault_Handler, 0, 0, 0, 0, Fault_Handler, Fault_Handler, 0, Fault_Handler, SysTick_Handler,
};
