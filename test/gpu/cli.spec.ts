/**
 * The real CLI on the webgpu backend: `reccompile run <spec> --backend webgpu` trains and evaluates
 * a small Mamba4Rec on the built-in synthetic data, and the epoch-2 training loss is below epoch 1's
 * (the run folder's history.json). Builds dist/ first (as `npm run build`). Skips with the reason
 * when no WebGPU adapter exists, or when the CLI's build dependencies are not installed (bench/gpu
 * packs only what the kernel tests load).
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { restoreBackend, useWebgpuOrSkip } from "./helpers.js";

const BIN = "dist/cli/reccompile.js";

const SMALL = `model Small {
  embedding items(dim: 16)
  dropout(0.1)
  mamba(d_state: 8, d_conv: 4, expand: 2)
  layernorm(eps: 1e-12)
  output tied
}
data { max_len: 30 }
train { optimizer: adam(lr: 0.003) batch: 512 epochs: 2 seed: 7 }
eval { metrics: [hr@10, ndcg@10, mrr@10] }
`;

/** Why the CLI cannot be built and run here, or null. */
const cliUnavailable = async (): Promise<string | null> => {
  for (const pkg of ["typescript", "ts-morph", "chevrotain", "fp-ts/lib/Either.js", "io-ts"]) {
    try {
      await import(pkg);
    } catch {
      return `the CLI needs '${pkg}', which is not installed here (run npm install)`;
    }
  }
  return null;
};

const cli = (...args: string[]) => {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8" });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
};

describe("reccompile run --backend webgpu (CLI)", function () {
  this.timeout(600_000);
  let dir: string;
  let spec: string;
  before(async function () {
    const why = await cliUnavailable();
    if (why) {
      console.log(`    skipped: ${why}`);
      this.skip();
    }
    const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
    const b = spawnSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], { encoding: "utf8" });
    assert.equal(b.status, 0, `build failed:\n${b.stdout}${b.stderr}`);
    dir = mkdtempSync(join(tmpdir(), "rec-gpu-cli-"));
    spec = join(dir, "small.rec");
    writeFileSync(spec, SMALL);
  });
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("without an adapter (Vulkan pointed at no driver) exits 1 with 'no WebGPU adapter' and a failed run folder", function () {
    if (process.platform !== "linux") this.skip();
    const out = join(dir, "none");
    const r = spawnSync(process.execPath, [BIN, "run", spec, "--backend", "webgpu", "--out", out], {
      encoding: "utf8", env: { ...process.env, VK_ICD_FILENAMES: "/nonexistent/icd.json", VK_DRIVER_FILES: "/nonexistent/icd.json" },
    });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /no WebGPU adapter:/);
    assert.doesNotMatch(r.stderr, /\n\s+at .+:\d+:\d+/, `stack trace in:\n${r.stderr}`);
    assert.equal(JSON.parse(readFileSync(join(out, "status.json"), "utf8")).state, "failed");
  });

  describe("with an adapter", function () {
    before(useWebgpuOrSkip);
    after(restoreBackend);

    it("trains 2 epochs on the built-in data, the loss drops, and evaluates", () => {
      const out = join(dir, "run");
      const r = cli("run", spec, "--backend", "webgpu", "--epochs", "2", "--out", out, "--json");
      assert.equal(r.code, 0, r.stderr);
      const last = JSON.parse(r.stdout.trim().split("\n").at(-1)!) as Record<string, unknown>;
      assert.equal(last.backend, "webgpu");
      assert.equal(last.kernels, "webgpu");
      assert.equal(last.epochs, 2);
      const test = last.test as Record<string, number>;
      for (const k of ["hr@10", "ndcg@10", "mrr@10"]) assert.ok(test[k]! >= 0 && test[k]! <= 1, `${k} = ${test[k]}`);
      const history = JSON.parse(readFileSync(join(out, "history.json"), "utf8")) as { epoch: number; loss: number }[];
      assert.equal(history.length, 2);
      const [e1, e2] = history.map((e) => e.loss) as [number, number];
      console.log(`      webgpu training loss: epoch 1 ${e1.toFixed(4)}, epoch 2 ${e2.toFixed(4)} (ln(items) = ${Math.log(last.items as number).toFixed(4)})`);
      assert.ok(Number.isFinite(e1) && Number.isFinite(e2) && e2 < e1, `loss did not drop: ${e1} -> ${e2}`);
      for (const f of ["weights.json", "checkpoint.json", "metrics.json", "report.html"]) assert.ok(existsSync(join(out, f)), `missing ${f}`);
      assert.equal(JSON.parse(readFileSync(join(out, "status.json"), "utf8")).state, "complete");
    });
  });
});
