#!/bin/sh
# Instructions one inference of the KWS test model executes on a Cortex-M4 (QEMU mps2-an386),
# float vs int8 as plain C (--no-simd: no DSP intrinsics), and int8 for the cortex-m4 row,
# whose dual MACs are ACLE __smlad (codegen/c/rows.ts C_DSP_ROW). QEMU runs one instruction per
# translation block (-singlestep) and logs each (-d exec,nochain); runs of 1 and 3 inferences
# are subtracted, so startup and I/O cancel. Needs arm-none-eabi-gcc, libnewlib-arm-none-eabi,
# qemu-system-arm, a built onnxc (npm run build) and runtime-firmware/ (the Cortex-M startup
# and linker script; FW=DIR to take them from elsewhere). Takes 1–4 minutes.
set -e
ROOT=$(cd "$(dirname "$0")/.." && pwd)
FW=${FW:-$ROOT/runtime-firmware}
W=$(mktemp -d)
cd "$W"
printf 'MEMORY\n{\n  FLASH (rx) : ORIGIN = 0x0, LENGTH = 0x400000\n  RAM (rwx) : ORIGIN = 0x21000000, LENGTH = 0x1000000\n}\n' > onnxc_memory.ld
cat > harness.c <<'C'
#include "MODEL.h"
static unsigned char arena[MODEL_ARENA_SIZE] __attribute__((aligned(64)));
static float x[490], logits[12], probs[12];
int main(int argc, char **argv) {
  const void *in[] = { x };
  void *out[] = { logits, probs };
  (void)argc; (void)argv;
  for (int i = 0; i < 490; i++) x[i] = (float)((i * 37) % 23) * 0.25f - 2.5f;
  for (int r = 0; r < RUNS; r++) if (MODEL_run(in, out, arena) != 0) return 1;
  return 0;
}
C
for m in float int8; do node "$ROOT/bin/onnxc.js" compile "$ROOT/examples/kws_$m.onnx" --target c --no-simd --weights c -o gen_$m > /dev/null; done
node "$ROOT/bin/onnxc.js" compile "$ROOT/examples/kws_int8.onnx" --target c --cpu cortex-m4 --weights c -o gen_int8dsp > /dev/null
FL="-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16 -std=c99 -O2 -Wall -Wextra -Werror -DONNXC_EXTERNAL_CLOCK -DONNXC_SYSCLK_HZ=25000000u"
count() { qemu-system-arm -M mps2-an386 -nographic -semihosting -singlestep -d exec,nochain -kernel "$1" 2>&1 >/dev/null | grep -c '^Trace'; }
for v in float int8 int8dsp; do
  m=${v%dsp}
  sed "s/MODEL/kws_$m/g" harness.c > h_$v.c
  for R in 1 3; do
    arm-none-eabi-gcc $FL -DRUNS=$R -I gen_$v -I . h_$v.c gen_$v/kws_$m.c "$FW/onnxc_startup.c" --specs=rdimon.specs -nostartfiles \
      -L . -T "$FW/onnxc_link.ld" -Wl,--defsym=ONNXC_STACK_SIZE=65536 -Wl,--gc-sections -Wl,--no-warn-rwx-segments -lm -o $v.$R.elf
  done
  echo "$v: $(( ($(count $v.3.elf) - $(count $v.1.elf)) / 2 )) instructions per inference"
done
rm -rf "$W"
