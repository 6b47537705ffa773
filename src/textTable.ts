// Aligned plain-text tables for the CLI: a header row, a rule, columns padded to their
// widest cell; columns listed in `right` are right-aligned (numbers).
export function textTable(header: string[], rows: (string | number)[][], right: number[] = [], indent = '  '): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const width = header.map((_, c) => Math.max(...cells.map((r) => (r[c] ?? '').length)));
  const line = (r: string[]) => indent + r.map((s, c) => (right.includes(c) ? s.padStart(width[c]) : s.padEnd(width[c]))).join('  ').trimEnd();
  return [line(header), (indent + width.map((w) => '-'.repeat(w)).join('  ')).trimEnd(), ...cells.slice(1).map(line)].join('\n') + '\n';
}
