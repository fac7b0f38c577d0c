import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { detectFormat, loadDataset, saveIdMaps, loadIdMaps, datasetName, ID_MAPS_FILE } from "../../src/data/load.js";
import { UserError } from "../../src/util/errors.js";
import { external, SHARED_DATA, tempFixtures } from "./helpers.js";

const fx = tempFixtures();
after(() => fx.cleanup());

describe("data/readers: formats", () => {
  it("pairs: chronological as given, items numbered by first appearance", () => {
    const f = fx.write("p.txt", "1 30\n1 10\n2 10\n2 20\n1 20\n");
    assert.equal(detectFormat(f), "pairs");
    const ds = loadDataset(f);
    assert.deepEqual(ds.itemIds, ["", "30", "10", "20"]);
    assert.deepEqual(ds.userIds, ["1", "2"]);
    assert.deepEqual(ds.sequences.map((s) => Array.from(s)), [[1, 2, 3], [2, 3]]);
    assert.equal(ds.numItems, 3);
    assert.equal(ds.name, "p");
    assert.deepEqual(ds.warnings, []);
  });

  it("pairs: tabs, CRLF, no final newline, BOM", () => {
    const f = fx.write("p2.txt", "\uFEFFa\tx\r\na  y\r\nb z");
    const ds = loadDataset(f);
    assert.deepEqual(external(ds), { a: ["x", "y"], b: ["z"] });
  });

  it("lines: user item item ..., a user may span lines", () => {
    const f = fx.write("l.txt", "u1 5 6 7\nu2 6\nu1 8\n");
    assert.equal(detectFormat(f), "lines");
    assert.deepEqual(external(loadDataset(f)), { u1: ["5", "6", "7", "8"], u2: ["6"] });
  });

  it("movielens: sorted by time per user, stable on ties, min_rating", () => {
    const f = fx.write("ratings.dat", "1::10::5::300\n1::11::3::100\n2::10::4::50\n1::12::4::300\n1::13::1::100\n");
    assert.equal(detectFormat(f), "movielens");
    const ds = loadDataset(f);
    // user 1: t=100 (11, 13 in file order), t=300 (10, 12 in file order)
    assert.deepEqual(external(ds), { "1": ["11", "13", "10", "12"], "2": ["10"] });
    assert.deepEqual(ds.itemIds, ["", "10", "11", "12", "13"]);
    const r = loadDataset(f, { minRating: 4 });
    assert.deepEqual(external(r), { "1": ["10", "12"], "2": ["10"] });
    assert.match(r.warnings.join("\n"), /2 interactions rated below min_rating 4 dropped/);
  });

  it("ml100k: TAB separated, unsorted, sorted by time", () => {
    const f = fx.write("u.data", "196\t242\t3\t881250949\n186\t302\t3\t891717742\n196\t100\t5\t881250000\n196\t7\t2\t881250949\n");
    assert.equal(detectFormat(f), "ml100k");
    const ds = loadDataset(f);
    assert.deepEqual(external(ds), { "196": ["100", "242", "7"], "186": ["302"] });
    assert.equal(datasetName(f), fx.dir().split("/").pop()); // generic "u.data" takes the folder's name
  });

  it("time_order float32: sorted on float32 timestamps (64-second grid), ties in file order, as RecBole sorts", () => {
    // 881250960 and 881250949 both round to 881250944; 881250900 to 881250880; 881251000 to 881251008.
    assert.deepEqual([881250960, 881250949, 881250900, 881251000].map(Math.fround), [881250944, 881250944, 881250880, 881251008]);
    const f = fx.write("order.dat", "1::61::4::881250960\n1::62::4::881250949\n1::63::4::881251000\n1::64::4::881250900\n");
    assert.deepEqual(external(loadDataset(f)), { "1": ["64", "62", "61", "63"] });
    const rounded = loadDataset(f, { timeOrder: "float32" });
    assert.deepEqual(external(rounded), { "1": ["64", "61", "62", "63"] });
    assert.deepEqual(rounded.warnings, []);
    // Ties among the sort keys: none exact; rounded, 61 and 62 share a key, and 62 is the second to last.
    assert.deepEqual(loadDataset(f).ties, { order: "exact", tiedWithPrevious: 0, lastTied: 0, secondToLastTied: 0 });
    assert.deepEqual(rounded.ties, { order: "float32", tiedWithPrevious: 1, lastTied: 0, secondToLastTied: 1 });
    const pairs = loadDataset(fx.write("order.txt", "1 5\n1 4\n"), { timeOrder: "float32" });
    assert.deepEqual(external(pairs), { "1": ["5", "4"] });
    assert.match(pairs.warnings.join("\n"), /time_order float32 changes nothing: the pairs format has no timestamps/);
    assert.equal(pairs.ties, undefined);
  });

  it("recbole: typed header, extra columns ignored, sorted by time", () => {
    const f = fx.write(
      "x.inter",
      "user_id:token\titem_id:token\trating:float\ttimestamp:float\ttags:token_seq\n" + "a\tm1\t4\t20\tx y\n" + "a\tm2\t5\t10\t\n" + "b\tm1\t1\t5\tz\n",
    );
    assert.equal(detectFormat(f), "recbole");
    const ds = loadDataset(f);
    assert.deepEqual(external(ds), { a: ["m2", "m1"], b: ["m1"] });
    assert.deepEqual(external(loadDataset(f, { minRating: 3 })), { a: ["m2", "m1"] });
    // detected from the header even without the .inter extension
    const g = fx.write("x.tsv", "user_id:token\titem_id:token\nq\tw\n");
    assert.equal(detectFormat(g), "recbole");
    assert.deepEqual(external(loadDataset(g)), { q: ["w"] });
  });

  it("csv: detected columns, quoting, ISO dates, explicit options", () => {
    const f = fx.write("c.csv", 'userId,movieId,rating,timestamp\n7,"The ""Best"", Movie",4.5,2000-01-02\n7,b,3,2000-01-01T10:00:00Z\n8,b,1,1999-01-01\n');
    assert.equal(detectFormat(f), "csv");
    assert.deepEqual(external(loadDataset(f)), { "7": ["b", 'The "Best", Movie'], "8": ["b"] });
    const g = fx.write("c2.csv", "who;what;when;stars\nA;x;3;4\nA;y;1;1\nA;z;2;5\n");
    assert.throws(() => loadDataset(g), /cannot tell which column holds the user id/);
    const ds = loadDataset(g, { format: "csv", csv: { user: "who", item: "what", timestamp: "when", rating: "stars" }, minRating: 2 });
    assert.deepEqual(external(ds), { A: ["z", "x"] });
    assert.throws(() => loadDataset(g, { csv: { user: "nobody", item: "what" } }), /no user id column named "nobody"/);
    // without a timestamp column: file order
    const h = fx.write("c3.csv", "user_id,item_id\n1,b\n1,a\n");
    assert.deepEqual(external(loadDataset(h)), { "1": ["b", "a"] });
  });

  it("auto detection fails clearly on an unknown layout", () => {
    const f = fx.write("odd.txt", "justonefield\nanother\n");
    assert.throws(() => detectFormat(f), (e: unknown) => e instanceof UserError && /cannot tell the format.*--format/.test(e.message));
    assert.throws(() => loadDataset(f, { format: "nope" as never }), /unknown data format/);
  });

  it("uirt: space separated user item rating timestamp, detected, sorted by time, min_rating", () => {
    const f = fx.write("uirt.txt", "1 10 4 978300760\n1 11 3.5 978300700\n2 10 1 978301000\n2 12 5 978300900\n");
    assert.equal(detectFormat(f), "uirt");
    const ds = loadDataset(f);
    assert.equal(ds.format, "uirt");
    assert.deepEqual(external(ds), { "1": ["11", "10"], "2": ["12", "10"] });
    assert.equal(ds.numItems, 3, "ratings and timestamps are not items");
    assert.deepEqual(external(loadDataset(f, { minRating: 3 })), { "1": ["11", "10"], "2": ["12"] });
  });

  it("uit and uir: three numeric columns, told apart by the third", () => {
    const t = fx.write("uit.txt", "1 10 978300760\n1 11 978300700\n2 10 978301000\n");
    assert.equal(detectFormat(t), "uit");
    assert.deepEqual(external(loadDataset(t)), { "1": ["11", "10"], "2": ["10"] });
    const r = fx.write("uir.txt", "1 10 4.5\n1 11 3\n2 10 1\n");
    assert.equal(detectFormat(r), "uir");
    assert.deepEqual(external(loadDataset(r, { minRating: 2 })), { "1": ["10", "11"] });
  });

  it("a file that reads as a table or as lines is refused with the choices", () => {
    const three = fx.write("amb3.txt", "1 10 3\n1 11 4\n2 10 5\n");
    assert.throws(() => detectFormat(three), (e: unknown) => e instanceof UserError && /3 numbers.*--format uit, --format uir or --format lines/.test(e.message));
    const four = fx.write("amb4.txt", "1 10 11 12\n2 13 14 15\n");
    assert.throws(() => detectFormat(four), (e: unknown) => e instanceof UserError && /4 numbers.*--format uirt or --format lines/.test(e.message));
    assert.deepEqual(external(loadDataset(three, { format: "lines" })), { "1": ["10", "3", "11", "4"], "2": ["10", "5"] });
  });

  it("duplicate interactions are counted in a warning", () => {
    const pairs = fx.write("dup.txt", "a x\na x\na x\na y\nb x\n");
    const w = loadDataset(pairs).warnings.join("\n");
    assert.match(w, /^2 interactions repeat an earlier one of the same user exactly \(the same item on the line before\)/m);
    const timed = fx.write("dup.uirt", "1 10 4 978300760\n1 10 4 978300760\n1 10 4 978300800\n");
    assert.match(loadDataset(timed, { format: "uirt" }).warnings.join("\n"), /^1 interaction repeats an earlier one of the same user exactly \(the same item at the same time\)/m);
    assert.deepEqual(loadDataset(fx.write("nodup.txt", "a x\na y\na x\n")).warnings, []);
  });

  it("id maps round trip, written atomically", () => {
    const ds = loadDataset(fx.write("m.txt", "u x\nu y\nv x\n"));
    const path = saveIdMaps(ds, fx.dir());
    assert.equal(path, join(fx.dir(), ID_MAPS_FILE));
    const maps = loadIdMaps(fx.dir());
    assert.deepEqual(maps.users, ["u", "v"]);
    assert.deepEqual(maps.items, ["", "x", "y"]);
    assert.ok(JSON.parse(readFileSync(path, "utf8")).version === 1);
    fx.write(ID_MAPS_FILE, "{ broken");
    assert.throws(() => loadIdMaps(fx.dir()), (e: unknown) => e instanceof UserError && /cannot read id maps/.test(e.message));
  });
});

describe("data/readers: bad data", () => {
  const userError = (re: RegExp) => (e: unknown) => e instanceof UserError && re.test(e.message);

  it("missing file and empty file", () => {
    assert.throws(() => loadDataset(join(fx.dir(), "absent.txt")), userError(/absent.txt: no such file/));
    const f = fx.write("empty.txt", "");
    assert.throws(() => loadDataset(f), userError(/empty.txt: empty file/));
    assert.throws(() => loadDataset(f, { format: "pairs" }), userError(/empty file/));
    const b = fx.write("blank.txt", "\n\n  \n");
    assert.throws(() => loadDataset(b, { format: "pairs" }), userError(/empty file/));
    const h = fx.write("header.csv", "user_id,item_id\n");
    assert.throws(() => loadDataset(h), userError(/only a header/));
  });

  it("wrong column count names file:line", () => {
    const f = fx.write("bad.txt", "1 2\n1 3\n1 4 5\n");
    assert.throws(() => loadDataset(f, { format: "pairs" }), userError(/bad\.txt:3: expected 2 fields \(user item\), found 3 fields/));
    const g = fx.write("bad.dat", "1::2::3::4\n1::2::3\n");
    assert.throws(() => loadDataset(g), userError(/bad\.dat:2: expected 4 fields/));
    const c = fx.write("bad.csv", "user_id,item_id,rating\n1,2,3\n1,2\n");
    assert.throws(() => loadDataset(c), userError(/bad\.csv:3: expected 3 fields as in the header, found 2/));
  });

  it("non-numeric rating or timestamp, non-integer MovieLens ids", () => {
    const f = fx.write("nn.data", "1\t2\t3\t100\n1\t3\tfive\t101\n");
    assert.throws(() => loadDataset(f, { format: "ml100k" }), userError(/nn\.data:2: rating must be a number, found "five"/));
    const g = fx.write("nt.dat", "1::2::3::12x\n");
    assert.throws(() => loadDataset(g), userError(/nt\.dat:1: timestamp must be a number, found "12x"/));
    const h = fx.write("ni.dat", "1::abc::3::12\n");
    assert.throws(() => loadDataset(h), userError(/ni\.dat:1: item id must be a non-negative integer/));
    const e = fx.write("ne.data", "1\t2\t\t100\n");
    assert.throws(() => loadDataset(e, { format: "ml100k" }), userError(/ne\.data:1: rating must be a number, found ""/));
  });

  it("stray bytes: invalid UTF-8 and control characters", () => {
    const bytes = Buffer.concat([Buffer.from("1 2\n1 3\n"), Buffer.from([0x31, 0x20, 0xff, 0xfe, 0x0a])]);
    const f = fx.write("bytes.txt", bytes);
    assert.throws(() => loadDataset(f, { format: "pairs" }), userError(/bytes\.txt:3: stray bytes: invalid UTF-8/));
    const g = fx.write("ctl.txt", "1 2\n1 \u00003\n");
    assert.throws(() => loadDataset(g, { format: "pairs" }), userError(/ctl\.txt:2: stray bytes: control character U\+0000 at column 3/));
    // a multi-byte character split across the reader's chunks is fine (ids may be any UTF-8)
    const h = fx.write("utf.txt", "ü é\nü ñ\n");
    assert.deepEqual(external(loadDataset(h)), { ü: ["é", "ñ"] });
  });

  it("truncated last line: an error that says so; a missing final newline alone is fine", () => {
    const f = fx.write("trunc.data", "1\t2\t3\t100\n1\t3\t4\t101\n2\t5\t");
    assert.throws(() => loadDataset(f, { format: "ml100k" }), userError(/trunc\.data:3: the last line has no newline and 3 fields instead of 4 fields.*truncated/));
    const g = fx.write("ok.data", "1\t2\t3\t100\n1\t3\t4\t101");
    assert.equal(loadDataset(g, { format: "ml100k" }).sequences[0]!.length, 2);
  });

  it("blank lines are skipped and counted; min_rating without ratings is an error", () => {
    const f = fx.write("gaps.txt", "1 2\n\n1 3\n\n");
    const ds = loadDataset(f);
    assert.match(ds.warnings.join(), /2 blank lines skipped/);
    assert.throws(() => loadDataset(f, { minRating: 4 }), userError(/min_rating is set \(4\) but the pairs format has no ratings/));
    const g = fx.write("allLow.dat", "1::2::1::5\n");
    assert.throws(() => loadDataset(g, { minRating: 4 }), userError(/no interaction is rated 4 or more/));
  });

  it("a large file streams through chunk boundaries intact", () => {
    // ~6 MB: more than one 4 MiB chunk, with multi-byte ids straddling the boundary somewhere.
    const lines: string[] = [];
    for (let k = 0; k < 400_000; k++) lines.push(`usér${k % 997} itém${(k * 31) % 5003}`);
    const f = fx.write("big.txt", lines.join("\n") + "\n");
    const ds = loadDataset(f);
    assert.equal(ds.sequences.reduce((a, s) => a + s.length, 0), 400_000);
    assert.equal(ds.sequences.length, 997);
    assert.equal(ds.itemIds[ds.sequences[5]![3]!], `itém${((5 + 3 * 997) * 31) % 5003}`);
  });

  it("a two-byte character split exactly across the 4 MiB chunk boundary decodes intact", () => {
    // 1,048,575 lines of 4 bytes = 4,194,300 bytes; then "cc " puts "é" at bytes 4,194,303-4,194,304.
    const f = fx.write("edge.txt", "a b\n".repeat(1_048_575) + "cc é\n");
    const ds = loadDataset(f, { format: "pairs" });
    assert.deepEqual(external(ds)["cc"], ["é"]);
  });
});

describe("data/readers: MovieLens-100k u.data (skipped when absent)", () => {
  const path = join(SHARED_DATA, "ml-100k/u.data");
  it("943 users, 1,682 items, 100,000 interactions, each user sorted by time stably", function () {
    if (!existsSync(path)) this.skip();
    assert.equal(detectFormat(path), "ml100k");
    const ds = loadDataset(path);
    assert.equal(ds.name, "ml-100k");
    assert.equal(ds.sequences.length, 943);
    assert.equal(ds.numItems, 1682);
    assert.equal(ds.sequences.reduce((a, s) => a + s.length, 0), 100_000);
    // Independent check: group by user, stable sort by timestamp.
    const rows = readFileSync(path, "utf8").trim().split("\n").map((l) => l.split("\t"));
    const byUser = new Map<string, { item: string; t: number }[]>();
    for (const [u, i, , t] of rows) {
      if (!byUser.has(u!)) byUser.set(u!, []);
      byUser.get(u!)!.push({ item: i!, t: Number(t) });
    }
    const got = external(ds);
    for (const [u, list] of byUser) assert.deepEqual(got[u], list.sort((a, b) => a.t - b.t).map((x) => x.item));
  });

  it("time_order float32 moves 149 users' last item and 254 users' second to last; ties counted (as numpy counts them)", function () {
    if (!existsSync(path)) this.skip();
    const exact = loadDataset(path);
    const rounded = loadDataset(path, { timeOrder: "float32" });
    const moved = (k: number): number => exact.sequences.filter((s, u) => s[s.length - k] !== rounded.sequences[u]![s.length - k]).length;
    // python: sort each user's rows by (np.float32(t), line) and by (t, line), compare the last two items
    assert.equal(moved(1), 149);
    assert.equal(moved(2), 254);
    // python: per user, the sorted keys' equal neighbours, last pair, and second to last with either neighbour
    assert.deepEqual(exact.ties, { order: "exact", tiedWithPrevious: 50_561, lastTied: 415, secondToLastTied: 599 });
    assert.deepEqual(rounded.ties, { order: "float32", tiedWithPrevious: 69_035, lastTied: 552, secondToLastTied: 767 });
  });
});
