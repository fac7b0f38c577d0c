import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { isLeft } from "fp-ts/lib/Either.js";
import { checkText } from "../../src/check/index.js";
import { recLexer } from "../../src/lang/tokens.js";

/** mulberry32: a small seeded generator, so every run tries the same mutations. */
const rng = (seed: number): (() => number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

const SPECS = ["specs/mamba4rec.rec", "specs/sasrec.rec", "specs/gru4rec.rec", "specs/pop.rec"];
const ODD = ["1e999", "-0", "99999999999999999999999", "0.0000000001", "NaN", "é", "名前", "😀", "\u0000", "\uFFFD", "\u202E", "@", "[", "{", "}", ")", "\"", "//", ":", ",", "repeat", "block", "import \"specs/sasrec.rec\""];

const mutate = (text: string, r: () => number): string => {
  const toks = recLexer.tokenize(text).tokens;
  if (toks.length === 0) return `${text}${ODD[Math.floor(r() * ODD.length)]}`;
  const pick = (): number => Math.floor(r() * toks.length);
  const op = Math.floor(r() * 8);
  const splice = (start: number, end: number, insert: string): string => text.slice(0, start) + insert + text.slice(end);
  const t = toks[pick()]!;
  const end = (t.endOffset ?? t.startOffset) + 1;
  switch (op) {
    case 0: return splice(t.startOffset, end, ""); // delete a token
    case 1: return splice(t.startOffset, t.startOffset, `${t.image} `); // duplicate a token
    case 2: { // swap two tokens
      const u = toks[pick()]!;
      const [a, b] = t.startOffset < u.startOffset ? [t, u] : [u, t];
      if (a === b) return text;
      const aEnd = (a.endOffset ?? a.startOffset) + 1;
      const bEnd = (b.endOffset ?? b.startOffset) + 1;
      return text.slice(0, a.startOffset) + b.image + text.slice(aEnd, b.startOffset) + a.image + text.slice(bEnd);
    }
    case 3: return text.slice(0, Math.floor(r() * text.length)); // truncate
    case 4: { // random bytes
      const pos = Math.floor(r() * text.length);
      const bytes = Array.from({ length: 1 + Math.floor(r() * 6) }, () => String.fromCharCode(Math.floor(r() * 256))).join("");
      return splice(pos, pos, bytes);
    }
    case 5: return splice(t.startOffset, end, ["1e308", "1e999", "-1", "0", "4294967297", "123456789012345678901234567890"][Math.floor(r() * 6)]!); // huge or edge numbers
    case 6: return splice(t.startOffset, end, ODD[Math.floor(r() * ODD.length)]!); // unicode and odd tokens
    default: { // replace an identifier by a near miss
      const i = Math.floor(r() * Math.max(1, t.image.length));
      return splice(t.startOffset, end, t.image.slice(0, i) + t.image.slice(i + 1));
    }
  }
};

describe("fuzz: seeded mutations of the shipped specs", () => {
  it("never throws, and every failure has a located diagnostic (2,400 mutations)", function () {
    this.timeout(120_000);
    const r = rng(20240601);
    const texts = SPECS.map((f) => readFileSync(f, "utf8"));
    let failures = 0;
    for (let i = 0; i < 2400; i++) {
      let text = texts[i % texts.length]!;
      const rounds = 1 + Math.floor(r() * 3);
      for (let k = 0; k < rounds; k++) text = mutate(text, r);
      const file = SPECS[i % SPECS.length]!;
      const result = checkText(file, text);
      if (isLeft(result)) {
        failures++;
        const errors = result.left.filter((d) => d.severity === "error");
        assert.ok(errors.length > 0, `mutation ${i}: Left without an error`);
        for (const d of errors) {
          assert.ok(d.span.start.line >= 1 && d.span.start.col >= 1 && d.span.file.length > 0, `mutation ${i}: unlocated ${d.code}`);
          assert.match(d.code, /^REC[123]\d{3}$/);
        }
      }
    }
    assert.ok(failures > 1000, `only ${failures} mutations failed: the mutator is too gentle`);
  });
});
