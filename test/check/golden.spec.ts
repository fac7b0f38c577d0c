import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { isLeft, isRight } from "fp-ts/lib/Either.js";
import { checkFile } from "../../src/check/index.js";
import { CODES } from "../../src/lang/codes.js";
import { goldenPath, invalidCases, renderCase, validCases } from "./golden.js";

describe("invalid fixtures (golden diagnostics)", () => {
  const cases = invalidCases();
  it("has at least 40 cases", () => assert.ok(cases.length >= 40, `${cases.length}`));
  for (const c of cases) {
    it(c.replace(/^.*\//, ""), () => {
      const r = checkFile(c);
      assert.ok(isLeft(r), "expected errors");
      assert.ok(r.left.some((d) => d.severity === "error"));
      const got = renderCase(c);
      assert.match(got, /^\S+\.rec:\d+:\d+: error REC\d{4}: /m);
      assert.equal(got, readFileSync(goldenPath(c), "utf8"), "golden differs: run npm run refresh-golden and review the diff");
    });
  }
});

describe("valid fixtures and shipped specs", () => {
  for (const c of [...validCases(), "specs/mamba4rec.rec", "specs/sasrec.rec", "specs/gru4rec.rec", "specs/pop.rec"]) {
    it(c, () => {
      const r = checkFile(c);
      assert.ok(isRight(r), isLeft(r) ? r.left.map((d) => d.message).join("\n") : "");
      assert.deepEqual(r.right.warnings, []);
    });
  }
});

describe("code table", () => {
  it("has unique codes in their ranges", () => {
    const codes = Object.values(CODES).map((c) => c.code);
    assert.equal(new Set(codes).size, codes.length);
    for (const c of Object.values(CODES)) {
      assert.match(c.code, /^REC[123]\d{3}$/);
      assert.equal(c.severity, /^REC[23]1/.test(c.code) ? "warning" : "error");
    }
  });
});

describe("warning fixtures", () => {
  for (const [file, code] of [["zero_dropout.rec", "REC2102"], ["seen_excluded.rec", "REC3104"], ["caser_window.rec", "REC3105"]] as const) {
    it(`${file}: checks, with warning ${code} and no other`, () => {
      const r = checkFile(`test/check/fixtures/warnings/${file}`);
      assert.ok(isRight(r), isLeft(r) ? r.left.map((d) => d.message).join("\n") : "");
      assert.deepEqual(r.right.warnings.map((w) => w.code), [code]);
    });
  }
});
