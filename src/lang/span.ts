/** A position in a source file. `line` and `col` are 1-based; `offset` is a 0-based UTF-16 index. */
export interface Position {
  readonly offset: number;
  readonly line: number;
  readonly col: number;
}

/** A half-open range [start, end) of one source file. Every AST node and diagnostic carries one. */
export interface Span {
  readonly file: string;
  readonly start: Position;
  readonly end: Position;
}

export const spanText = (span: Span): string => `${span.file}:${span.start.line}:${span.start.col}`;
