// Cortex-M boards as data: for each --cpu row of ir/target.ts that is a microcontroller, the
// arm-none-eabi-gcc flags, the QEMU machine that runs it, and that machine's memories (flash
// holds code and const weights, RAM the data, arena and stack). The linker script is made
// from these (src/firmware/linkScript.ts); the budgets report against them.

export interface Memory { origin: number; bytes: number }

export interface Board {
  /** The --cpu row (ir/target.ts). */
  cpu: string;
  /** arm-none-eabi-gcc flags selecting the core, FPU and float ABI. */
  cflags: string[];
  /** The core clock SysTick counts (Hz): QEMU's value for the machine. */
  clockHz: number;
  /** qemu-system-arm -M value. */
  machine: string;
  /** Where code and const data go (the vector table at its start). */
  flash: Memory;
  /** Where .data, .bss, the heap and the stack go (stack at its top). */
  ram: Memory;
  /** What a part with this core typically has, for the budget report (bytes). */
  typical: { flash: number; ram: number; part: string };
}

const MB = 1 << 20, KB = 1 << 10;
// mps2-an385/386/500: ZBT SSRAM1 (4 MB at 0) stands in for flash; the 16 MB PSRAM is the RAM
const MPS2 = { flash: { origin: 0, bytes: 4 * MB } };

export const BOARDS: Record<string, Board> = {
  // ARMv6-M code runs on the AN385's Cortex-M3 (QEMU models no M0+ board)
  'cortex-m0plus': { cpu: 'cortex-m0plus', cflags: ['-mcpu=cortex-m0plus', '-mthumb', '-mfloat-abi=soft'], machine: 'mps2-an385', clockHz: 25_000_000,
    ...MPS2, ram: { origin: 0x21000000, bytes: 16 * MB }, typical: { flash: 256 * KB, ram: 32 * KB, part: 'RP2040-class' } },
  'cortex-m4': { cpu: 'cortex-m4', cflags: ['-mcpu=cortex-m4', '-mthumb', '-mfloat-abi=hard', '-mfpu=fpv4-sp-d16'], machine: 'mps2-an386', clockHz: 25_000_000,
    ...MPS2, ram: { origin: 0x21000000, bytes: 16 * MB }, typical: { flash: 1 * MB, ram: 192 * KB, part: 'STM32F407' } },
  'cortex-m7': { cpu: 'cortex-m7', cflags: ['-mcpu=cortex-m7', '-mthumb', '-mfloat-abi=hard', '-mfpu=fpv5-sp-d16'], machine: 'mps2-an500', clockHz: 25_000_000,
    ...MPS2, ram: { origin: 0x60000000, bytes: 16 * MB }, typical: { flash: 2 * MB, ram: 512 * KB, part: 'STM32F767' } },
  // AN505 boots secure: code at the secure alias of SSRAM1
  'cortex-m33': { cpu: 'cortex-m33', cflags: ['-mcpu=cortex-m33', '-mthumb', '-mfloat-abi=hard', '-mfpu=fpv5-sp-d16'], machine: 'mps2-an505', clockHz: 20_000_000,
    flash: { origin: 0x10000000, bytes: 4 * MB }, ram: { origin: 0x80000000, bytes: 16 * MB }, typical: { flash: 512 * KB, ram: 256 * KB, part: 'nRF5340 app core' } },
  'cortex-m55': { cpu: 'cortex-m55', cflags: ['-mcpu=cortex-m55', '-mthumb', '-mfloat-abi=hard'], machine: 'mps3-an547', clockHz: 32_000_000,
    flash: { origin: 0x10000000, bytes: 512 * KB }, ram: { origin: 0x60000000, bytes: 16 * MB }, typical: { flash: 4 * MB, ram: 1 * MB, part: 'Alif E7 HP core' } },
};

/** The board of a --cpu row, or undefined for host rows. */
export function boardFor(cpu: string | undefined): Board | undefined {
  return cpu ? BOARDS[cpu] : undefined;
}
