/** Prints the WebGPU adapter Dawn finds (exit 0), or says there is none (exit 1). Used by run.sh. */
import { webgpuAdapter } from "../../src/runtime/webgpu.js";

webgpuAdapter().then(
  (a) => {
    console.log(`adapter: ${a ?? "none"}`);
    process.exit(a ? 0 : 1);
  },
  (e) => {
    console.log(`adapter: none (${e instanceof Error ? e.message : e})`);
    process.exit(1);
  },
);
