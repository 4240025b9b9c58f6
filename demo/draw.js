// The drawing pad and MNIST-style preprocessing: the ink's bounding box is scaled to fit
// 20×20 (aspect kept, box-averaged), then placed in 28×28 with its center of mass at the
// center, as the MNIST digits were made.

/** A pad on `canvas`; calls onChange() (at most once per frame) while the drawing changes. */
export function drawingPad(canvas, onChange) {
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  let last = null, pending = false, strokes = 0;
  const clear = () => {
    ctx.fillStyle = "white";
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    strokes = 0;
  };
  clear();
  const at = (e) => {
    const r = canvas.getBoundingClientRect();
    return [((e.clientX - r.left) * canvas.width) / r.width, ((e.clientY - r.top) * canvas.height) / r.height];
  };
  const changed = () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => { pending = false; onChange(); });
  };
  const line = (a, b) => {
    ctx.strokeStyle = "black";
    ctx.lineWidth = 22;
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    ctx.beginPath();
    ctx.moveTo(a[0], a[1]);
    ctx.lineTo(b[0], b[1]);
    ctx.stroke();
    changed();
  };
  canvas.addEventListener("pointerdown", (e) => {
    canvas.setPointerCapture?.(e.pointerId);
    last = at(e);
    strokes++;
    line(last, [last[0] + 0.1, last[1]]);
  });
  canvas.addEventListener("pointermove", (e) => {
    if (!last) return;
    const p = at(e);
    line(last, p);
    last = p;
  });
  const up = () => { last = null; };
  canvas.addEventListener("pointerup", up);
  canvas.addEventListener("pointercancel", up);
  return {
    clear() { clear(); onChange(); },
    get empty() { return strokes === 0; },
    /** The drawing as 784 floats in [0, 1] (1 = ink), or null if the pad is blank. */
    pixels() { return toMnist(ctx.getImageData(0, 0, canvas.width, canvas.height)); },
  };
}

export function toMnist(img) {
  const { width: W, height: H, data } = img;
  const ink = new Float32Array(W * H);
  let x0 = W, y0 = H, x1 = -1, y1 = -1;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const v = 1 - data[(y * W + x) * 4] / 255;
      if (v > 0.05) {
        ink[y * W + x] = v;
        if (x < x0) x0 = x; if (x > x1) x1 = x;
        if (y < y0) y0 = y; if (y > y1) y1 = y;
      }
    }
  }
  if (x1 < 0) return null;
  const w = x1 - x0 + 1, h = y1 - y0 + 1, scale = 20 / Math.max(w, h);
  const sw = Math.max(1, Math.round(w * scale)), sh = Math.max(1, Math.round(h * scale));
  // Box filter: each source pixel adds to the small pixel it falls in.
  const sum = new Float32Array(sw * sh), count = new Float32Array(sw * sh);
  for (let y = y0; y <= y1; y++) {
    const ty = Math.min(sh - 1, Math.floor((y - y0) * scale));
    for (let x = x0; x <= x1; x++) {
      const tx = Math.min(sw - 1, Math.floor((x - x0) * scale));
      sum[ty * sw + tx] += ink[y * W + x];
      count[ty * sw + tx]++;
    }
  }
  let mass = 0, mx = 0, my = 0;
  for (let i = 0; i < sw * sh; i++) {
    const v = count[i] ? sum[i] / count[i] : 0;
    sum[i] = v;
    mass += v; mx += v * (i % sw); my += v * Math.floor(i / sw);
  }
  const ox = Math.round(13.5 - mx / mass), oy = Math.round(13.5 - my / mass);
  const out = new Float32Array(784);
  for (let y = 0; y < sh; y++) {
    for (let x = 0; x < sw; x++) {
      const X = x + ox, Y = y + oy;
      if (X >= 0 && X < 28 && Y >= 0 && Y < 28) out[Y * 28 + X] = Math.min(1, sum[y * sw + x]);
    }
  }
  return out;
}

/** Paints 784 pixels in [0, 1] (1 = ink) onto a 28×28 canvas. */
export function paintDigit(canvas, pixels) {
  const ctx = canvas.getContext("2d");
  const img = ctx.createImageData(28, 28);
  for (let i = 0; i < 784; i++) {
    const v = 255 - Math.round((pixels ? pixels[i] : 0) * 255);
    img.data.set([v, v, v, 255], i * 4);
  }
  ctx.putImageData(img, 0, 0);
}
