#!/usr/bin/env node
// Prints 1 when OpenBLAS's CBLAS can be compiled against and linked here (cblas.h + -lopenblas with
// openblas_set_num_threads), else 0. Used by binding.gyp at configure time.
// REC_NATIVE_BLAS=fallback forces 0 (to build and test the portable sgemm path).
"use strict";
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

function detect() {
  if ((process.env.REC_NATIVE_BLAS || "").toLowerCase() === "fallback") return 0;
  const cxx = process.env.CXX || "c++";
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rc-blas-"));
  try {
    const src = path.join(dir, "t.cc");
    fs.writeFileSync(src, [
      "#include <cblas.h>",
      'extern "C" void openblas_set_num_threads(int);',
      "int main() { float a = 1, b = 1, c = 0; openblas_set_num_threads(1);",
      "  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, 1, 1, 1, 1.0f, &a, 1, &b, 1, 0.0f, &c, 1);",
      "  return c == 1.0f ? 0 : 1; }",
      "",
    ].join("\n"));
    const r = spawnSync(cxx, [src, "-o", path.join(dir, "t"), "-lopenblas"], { stdio: "ignore" });
    return r.status === 0 ? 1 : 0;
  } catch {
    return 0;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

process.stdout.write(String(detect()));
