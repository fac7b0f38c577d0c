/** Plain reference of `columnSumNative` (column_sum.ts): out[c] = sum over r of X[r, c], X [rows, cols]. */
export const columnSumRef = (rows: number, cols: number, X: Float32Array, out: Float32Array): void => {
  out.fill(0);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c]! += X[r * cols + c]!;
};
