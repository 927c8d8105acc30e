// Rectangles that tile their parent: the synthetic city's districts, streets, communities and grids.
export interface Box {
  w: number; // west (min lng)
  s: number; // south (min lat)
  e: number; // east (max lng)
  n: number; // north (max lat)
}

/** Splits a box into rows × cols cells, ordered north→south, then west→east (the grid-code order). */
export function split(b: Box, rows: number, cols: number): Box[] {
  const out: Box[] = [];
  const dw = (b.e - b.w) / cols;
  const dh = (b.n - b.s) / rows;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const n = b.n - r * dh;
      out.push({ w: round(b.w + c * dw), e: round(b.w + (c + 1) * dw), n: round(n), s: round(n - dh) });
    }
  }
  return out;
}

/** rows × cols with rows·cols ≥ count, near-square. */
export function layout(count: number): [number, number] {
  const cols = Math.ceil(Math.sqrt(count));
  return [Math.ceil(count / cols), cols];
}

const round = (v: number) => Math.round(v * 1e6) / 1e6;

export function polygon(b: Box) {
  return { type: 'Polygon' as const, coordinates: [[[b.w, b.n], [b.e, b.n], [b.e, b.s], [b.w, b.s], [b.w, b.n]]] };
}

export function pointIn(b: Box, fx: number, fy: number): [number, number] {
  return [round(b.w + (b.e - b.w) * (0.1 + 0.8 * fx)), round(b.s + (b.n - b.s) * (0.1 + 0.8 * fy))];
}
