/** Where a command writes its lines of output (process.stdout or process.stderr in the CLI). */
export interface TextSink {
  write(s: string): unknown;
}
