// Two small line charts on canvas (no library): x = epoch, y = the series' values.

const css = (name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();

/**
 * Draws series [{ points: [[x, y], ...], color }] on canvas, x from 0 to xMax,
 * y from yMin to yMax; `fmt` labels the y axis.
 */
export function lineChart(canvas, { series, xMax, yMin, yMax, fmt, ticks = 4 }) {
  const dpr = window.devicePixelRatio || 1;
  const cw = canvas.clientWidth || canvas.width, ch = canvas.clientHeight || canvas.height;
  if (canvas.width !== Math.round(cw * dpr)) { canvas.width = Math.round(cw * dpr); canvas.height = Math.round(ch * dpr); }
  const ctx = canvas.getContext("2d");
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, cw, ch);
  const L = 46, R = 10, T = 10, B = 24, w = cw - L - R, h = ch - T - B;
  const X = (x) => L + (xMax > 0 ? (x / xMax) * w : 0);
  const Y = (y) => T + h - ((y - yMin) / (yMax - yMin || 1)) * h;
  ctx.font = "11px system-ui, sans-serif";
  ctx.fillStyle = css("--muted");
  ctx.strokeStyle = css("--line");
  ctx.lineWidth = 1;
  ctx.textAlign = "right";
  ctx.textBaseline = "middle";
  for (let i = 0; i <= ticks; i++) {
    const v = yMin + ((yMax - yMin) * i) / ticks, y = Math.round(Y(v)) + 0.5;
    ctx.beginPath(); ctx.moveTo(L, y); ctx.lineTo(L + w, y); ctx.stroke();
    ctx.fillText(fmt(v), L - 6, y);
  }
  ctx.textAlign = "center";
  ctx.textBaseline = "top";
  const step = Math.max(1, Math.ceil(xMax / 10));
  for (let x = 0; x <= xMax; x += step) ctx.fillText(String(x), X(x), T + h + 6);
  for (const s of series) {
    if (!s.points.length) continue;
    ctx.strokeStyle = s.color;
    ctx.fillStyle = s.color;
    ctx.lineWidth = 2.25;
    ctx.lineJoin = "round";
    ctx.beginPath();
    s.points.forEach(([x, y], i) => (i ? ctx.lineTo(X(x), Y(y)) : ctx.moveTo(X(x), Y(y))));
    ctx.stroke();
    for (const [x, y] of s.points) { ctx.beginPath(); ctx.arc(X(x), Y(y), 3, 0, 2 * Math.PI); ctx.fill(); }
  }
}
