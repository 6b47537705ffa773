// Coefficients of the float32 math the vector code computes itself (every target renders the
// same fits: C vector extensions in codegen/c/helpers.ts, WASM SIMD in codegen/wasm/simd.ts).

/** e^r - 1 - r = r²·P(r) on |r| <= ln2/2 (Cephes expf), highest degree first. */
export const EXP_POLY = [1.9875691500e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1];

// erf(x) = x·P(x²)/Q(x²): a rational minimax fit on [-4, 4] (outside, erf is ±1 in float32); at
// most 4.2e-7 from erf over the float32 range, relative error as small near 0. Lowest degree first.
export const ERF_P = [-1.60960333262415e-02, -2.95459980854025e-03, -7.34990630326855e-04, -5.69250639462346e-05,
  -2.10102402082508e-06, 2.77068142495902e-08, -2.72614225801306e-10];
export const ERF_Q = [-1.42647390514189e-02, -7.37332916720468e-03, -1.68282697438203e-03, -2.13374055278905e-04, -1.45660718464996e-05];
