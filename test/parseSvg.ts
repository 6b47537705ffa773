// Reads a memory SVG (src/report/memorySvg.ts) back into its boxes and peak line, for the tests.

interface Box { name: string; offset: number; bytes: number; first: number; last: number; x: number; y: number; w: number; h: number }
/** The boxes and the peak line of a memory SVG, read back from its data-* attributes. */
export function parseSvg(svg: string): { boxes: Box[]; peak: number } {
  const num = (s: string, k: string) => Number(new RegExp(`${k}="([^"]*)"`).exec(s)![1]);
  const boxes = [...svg.matchAll(/<rect data-name="[^"]*"[^>]*>/g)].map(([r]) => ({
    name: /data-name="([^"]*)"/.exec(r)![1], offset: num(r, 'data-offset'), bytes: num(r, 'data-bytes'),
    first: num(r, 'data-first'), last: num(r, 'data-last'), x: num(r, ' x'), y: num(r, ' y'), w: num(r, 'width'), h: num(r, 'height') }));
  return { boxes, peak: num(/<line class="peak"[^>]*>/.exec(svg)![0], 'data-bytes') };
}
