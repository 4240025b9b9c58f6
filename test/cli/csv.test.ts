// CSV parser and label-column table: quoting, headers, string labels, errors naming the line.
import { describe, it, expect } from "vitest";
import { parseCsv, csvTable, hasHeader, type CsvClassTable } from "../../src/data/csv.js";
import { standardization, standardize } from "../../src/data/standardize.js";
import { holdout } from "../../src/data/split.js";
import { DatasetError } from "../../src/errors.js";

const table = (s: string, o = {}) => csvTable(parseCsv(s, "t.csv"), "t.csv", o) as CsvClassTable;
const fails = (f: () => unknown, re: RegExp) => {
  try { f(); } catch (e) {
    expect(e).toBeInstanceOf(DatasetError);
    expect((e as Error).message).toMatch(re);
    return;
  }
  throw new Error("expected a DatasetError");
};

describe("CSV parsing", () => {
  it("splits quoted fields with commas, doubled quotes and line breaks; CRLF; blank lines", () => {
    const rows = parseCsv('a,"b, c","say ""hi"""\r\n\r\n1,"multi\nline",3\n  \n4,5,6');
    expect(rows.map((r) => r.fields)).toEqual([["a", "b, c", 'say "hi"'], ["1", "multi\nline", "3"], ["4", "5", "6"]]);
    expect(rows.map((r) => r.line)).toEqual([1, 3, 6]);
  });

  it("keeps empty fields and a last line without newline", () => {
    expect(parseCsv("1,,3\n,,").map((r) => r.fields)).toEqual([["1", "", "3"], ["", "", ""]]);
  });

  it("names the line of an unclosed quote and of text after a closing quote", () => {
    fails(() => parseCsv('1,2\n3,"open\n4,5', "f.csv"), /f\.csv line 2.*closing quote/);
    fails(() => parseCsv('1,"a"b,3', "f.csv"), /f\.csv line 1/);
  });

  it("detects a header", () => {
    expect(hasHeader(parseCsv("sepal,petal,species\n5.1,1.4,setosa"))).toBe(true);
    expect(hasHeader(parseCsv("5.1,1.4,setosa\n4.9,1.3,setosa"))).toBe(false);
    expect(hasHeader(parseCsv("x,y\n1,2"))).toBe(true);
    expect(hasHeader(parseCsv("1,2\n3,4"))).toBe(false);
  });
});

describe("CSV tables", () => {
  const iris = "sepal_length,sepal_width,species\n5.1,3.5,setosa\n7.0,3.2,versicolor\n6.3,3.3,virginica\n4.9,3.0,setosa\n";

  it("maps string labels to indices in order of first appearance", () => {
    const t = table(iris, { label: "species" });
    expect(t.header).toBe(true);
    expect(t.features).toEqual(["sepal_length", "sepal_width"]);
    expect(t.classNames).toEqual(["setosa", "versicolor", "virginica"]);
    expect(Array.from(t.labels)).toEqual([0, 1, 2, 0]);
    expect(Array.from(t.inputs)).toEqual(Array.from(Float32Array.from([5.1, 3.5, 7.0, 3.2, 6.3, 3.3, 4.9, 3.0])));
  });

  it("takes the label column by name, index, negative index or default (last)", () => {
    const csv = "lab,x,y\nb,1,2\na,3,4\n";
    expect(Array.from(table(csv, { label: "lab" }).inputs)).toEqual([1, 2, 3, 4]);
    expect(table(csv, { label: "0" }).classNames).toEqual(["b", "a"]);
    expect(table(csv, { label: 0 }).features).toEqual(["x", "y"]);
    expect(table("1,2,0\n3,4,1\n", { label: -1 }).classNames).toEqual(["0", "1"]);
    expect(table("1,2,0\n3,4,1\n").features).toEqual(["column 0", "column 1"]);
  });

  it("uses non-negative integer labels as class indices", () => {
    const t = table("x,label\n0.5,3\n0.25,0\n");
    expect(t.numericLabels).toBe(true);
    expect(Array.from(t.labels)).toEqual([3, 0]);
    expect(t.classNames).toEqual(["0", "1", "2", "3"]);
  });

  it("maps labels through given class names and rejects unknown ones", () => {
    const t = table("x,c\n1,virginica\n2,setosa\n", { classNames: ["setosa", "versicolor", "virginica"] });
    expect(Array.from(t.labels)).toEqual([2, 0]);
    fails(() => table("x,c\n1,rose\n", { classNames: ["setosa"] }), /line 2.*rose/);
  });

  it("names the line and column of a bad row", () => {
    fails(() => table(iris + "5.0,oops,setosa\n", { label: "species" }), /t\.csv line 6, column "sepal_width".*finite decimal number.*"oops"/);
    fails(() => table(iris + "5.0,setosa\n", { label: "species" }), /t\.csv line 6.*3 fields.*2 fields/);
    fails(() => table(iris + "5.0,3.1,\n", { label: "species" }), /line 6.*label/);
    fails(() => table(iris, { label: "colour" }), /header's columns.*"colour"/);
    fails(() => table(iris, { label: "7" }), /index from 0 to 2/);
    fails(() => table(""), /empty/);
  });

  it("standardizes with the mean and population standard deviation, constant features left at 0", () => {
    const x = Float32Array.from([1, 5, 3, 5, 5, 5]); // feature 0: 1,3,5 (mean 3, std √(8/3)); feature 1 constant
    const z = standardization(x, 2);
    expect(z.mean).toEqual([3, 5]);
    expect(z.std[0]).toBeCloseTo(Math.sqrt(8 / 3), 6);
    expect(z.std[1]).toBe(1);
    const s = standardize(Float32Array.from(x), 2, z);
    expect(s[0]).toBeCloseTo(-2 / Math.sqrt(8 / 3), 6);
    expect(s[2]).toBeCloseTo(0, 6);
    expect(s[1]).toBe(0);
  });
});

describe("CSV limits and refusals (issue 13 items 11, 12, 16)", () => {
  it("a row with more fields than maxColumns, or longer than maxRowLength, is refused at that row", () => {
    fails(() => parseCsv("a,b,c\n1,2,3\n" + "1,".repeat(10) + "1\n", "w.csv", { maxColumns: 5 }), /w\.csv line 3.*at most 5 fields/);
    fails(() => parseCsv("a,b\n1,2\n" + "9".repeat(100) + ",1\n", "w.csv", { maxRowLength: 50 }), /w\.csv line 3.*at most 50 characters/);
    // The default limits hold for a row of 70,000 columns (a 30-M-input network before).
    fails(() => table("0,".repeat(70000) + "1\n"), /line 1.*at most 65536 fields/);
    // A quoted field that runs on is counted too.
    fails(() => parseCsv('a,b\n"' + "x\n".repeat(40) + '",1\n', "q.csv", { maxRowLength: 50 }), /q\.csv line 2.*at most 50 characters/);
    // Within the limits nothing changes.
    expect(parseCsv("1,2\n3,4\n", "ok.csv", { maxColumns: 2, maxRowLength: 3 }).length).toBe(2);
  });

  it("refuses duplicate header names, naming both columns", () => {
    fails(() => table("x,y,x,label\n1,2,3,a\n4,5,6,b\n"), /t\.csv line 1.*all different.*"x" as columns 0 and 2/);
    fails(() => table(" x ,x,label\n1,2,a\n"), /"x" as columns 0 and 1/);
  });

  it("a header-only file says so (not \"column 0 … received 'a'\")", () => {
    fails(() => table("a,b,label\n"), /at least one data row after the header.*only the header row \(a, b, label\)/);
    fails(() => table("a,b,label\n\n\n"), /only the header row/);
    fails(() => table("a,b,label"), /only the header row/);
  });

  it("numbers are decimal: hex, binary, Infinity and underscores are refused; spaces around a number are accepted alike everywhere", () => {
    for (const bad of ["0x10", "0b1", "0o7", "Infinity", "-Infinity", "1_000", "1e", ".", "+", "1 2"]) {
      fails(() => table(`a,label\n${bad},x\n2,y\n`), new RegExp(`line 2, column "a".*finite decimal number.*${JSON.stringify(bad).replace(/[.+]/g, "\\$&")}`));
    }
    for (const [s, x] of [["1", 1], [" 1 ", 1], ["\t-2.5e1 ", -25], ["+.5", 0.5], ["5.", 5], ["1E-3", 0.001]] as const) {
      expect(table(`a,label\n${s},x\n2,y\n`).inputs[0]).toBe(Math.fround(x));
    }
    // The label column alike: " 1 " is class 1, as "1" is.
    const t = table("a,label\n1, 1 \n2,1\n3,0\n");
    expect(Array.from(t.labels)).toEqual([1, 1, 0]);
    expect(t.classNames).toEqual(["0", "1"]);
  });
});

describe("numeric targets (issue 12 item 6)", () => {
  it("a label column of numbers that are not all integers is a numeric target", () => {
    const t = csvTable(parseCsv("x,price\n1,2.5\n2,3.25\n3,-1\n"), "p.csv");
    expect(t.targetKind).toBe("numeric");
    if (t.targetKind !== "numeric") return;
    expect(Array.from(t.targets)).toEqual([2.5, 3.25, -1]);
    expect(Array.from(t.inputs)).toEqual([1, 2, 3]);
  });

  it("integer labels stay classes; targetKind forces either reading", () => {
    expect(csvTable(parseCsv("x,y\n1,2\n2,0\n")).targetKind).toBe("class");
    const forced = csvTable(parseCsv("x,y\n1,2.5\n2,0.5\n3,2.5\n"), "f.csv", { targetKind: "class" }) as CsvClassTable;
    expect(forced.classNames).toEqual(["2.5", "0.5"]);
    expect(Array.from(forced.labels)).toEqual([0, 1, 0]);
    const numeric = csvTable(parseCsv("x,y\n1,2\n2,0\n"), "n.csv", { targetKind: "numeric" });
    expect(numeric.targetKind === "numeric" && Array.from(numeric.targets)).toEqual([2, 0]);
    fails(() => csvTable(parseCsv("x,y\n1,2\n2,cat\n"), "n.csv", { targetKind: "numeric" }), /n\.csv line 3, column "y".*numeric target.*"cat"/);
  });

  it("several label columns are a numeric target of that many values per row; the held-out split keeps each row's targets with it", () => {
    const text = "a,x,b,y\n" + Array.from({ length: 20 }, (_, i) => `${i % 2},${i},${(i >> 1) % 2},${i * 10}`).join("\n") + "\n";
    const t = csvTable(parseCsv(text), "m.csv", { label: ["a", "b"] });
    expect(t.targetKind).toBe("numeric");
    if (t.targetKind !== "numeric") return;
    expect(t.targetColumns).toEqual(["a", "b"]);
    expect(t.labelColumn).toBe("a,b");
    expect(t.features).toEqual(["x", "y"]);
    expect(Array.from(t.targets.subarray(0, 8))).toEqual([0, 0, 1, 0, 0, 1, 1, 1]);
    const { train, test } = holdout({ inputs: t.inputs, labels: t.targets, count: 20 }, 2, 0.25);
    expect(train.count + test!.count).toBe(20);
    expect(test!.labels).toHaveLength(10);
    for (const p of [train, test!]) {
      for (let r = 0; r < p.count; r++) {
        const i = p.inputs[r * 2]; // row i of the file: x = i, y = 10 i, a = i % 2, b = ⌊i/2⌋ % 2
        expect([p.inputs[r * 2 + 1], p.labels[r * 2], p.labels[r * 2 + 1]]).toEqual([10 * i, i % 2, (i >> 1) % 2]);
      }
    }
    fails(() => csvTable(parseCsv(text), "m.csv", { label: ["a", "a"] }), /different columns/);
    fails(() => csvTable(parseCsv("a,b,x\n1,0,3\n1,z,4\n"), "m.csv", { label: ["a", "b"] }), /m\.csv line 3, column "b".*numeric target.*"z"/);
  });
});
