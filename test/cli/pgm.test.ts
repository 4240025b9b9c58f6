// PGM reader: P2 and P5, comments, 16-bit samples, and broken files.
import { describe, it, expect } from "vitest";
import { parsePgm, encodePgm } from "../../src/data/pgm.js";
import { DatasetError } from "../../src/errors.js";

const text = (s: string) => new TextEncoder().encode(s);

describe("PGM", () => {
  it("reads P2 with comments and scales by maxval", () => {
    const img = parsePgm(text("P2\n# a comment\n3 2 # width height\n4\n0 1 2\n3 4 0\n"));
    expect([img.width, img.height, img.maxval]).toEqual([3, 2, 4]);
    expect(Array.from(img.pixels)).toEqual([0, 0.25, 0.5, 0.75, 1, 0]);
  });

  it("reads P5 with 8-bit and 16-bit samples", () => {
    const head = text("P5 2 2 255\n");
    const buf = new Uint8Array(head.length + 4); buf.set(head); buf.set([0, 51, 255, 102], head.length);
    const a = parsePgm(buf);
    expect(Array.from(a.pixels).map((x) => Math.round(x * 255))).toEqual([0, 51, 255, 102]);
    const h16 = text("P5\n2 1\n1000\n");
    const b16 = new Uint8Array(h16.length + 4); b16.set(h16); b16.set([0x01, 0xf4, 0x03, 0xe8], h16.length); // 500, 1000
    expect(Array.from(parsePgm(b16).pixels)).toEqual([0.5, 1]);
  });

  it("round-trips its own encoder in both forms", () => {
    const px = Array.from({ length: 12 }, (_, i) => i / 11);
    for (const ascii of [false, true]) {
      const img = parsePgm(encodePgm(4, 3, px, ascii));
      expect([img.width, img.height]).toEqual([4, 3]);
      img.pixels.forEach((x, i) => expect(Math.abs(x - px[i])).toBeLessThanOrEqual(0.5 / 255 + 1e-7));
    }
  });

  const fails = (b: Uint8Array, re: RegExp) => {
    try { parsePgm(b, "img.pgm"); } catch (e) {
      expect(e).toBeInstanceOf(DatasetError);
      expect((e as Error).message).toContain("img.pgm");
      expect((e as Error).message).toMatch(re);
      return;
    }
    throw new Error("expected a DatasetError");
  };

  it("rejects what is not a PGM, truncated data, bad sizes and samples above maxval", () => {
    fails(text("P6 1 1 255\n\0\0\0"), /P2 or P5/);
    fails(text("GIF89a"), /P2 or P5/);
    fails(text("P5 28 28 255\n" + "x".repeat(100)), /784 bytes.*100 bytes/);
    fails(text("P2 2 2 255\n1 2 3"), /truncated|end of the file/);
    fails(text("P2 2 1 10\n5 11\n"), /maxval 10.*11/);
    fails(text("P5 0 5 255\n"), /1 to/);
    fails(text("P5 100000 100000 255\n"), /pixels.*100000×100000/);
    fails(text("P5 2 2 70000\n"), /maxval/);
    fails(text("P2 a b"), /width/);
  });
});
