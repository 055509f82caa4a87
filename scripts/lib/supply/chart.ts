// A line chart as SVG text (browser-safe, no dependencies): the simulator's figures per period,
// written by `commons simulate --svg` and shown by the app.

export interface Series {
  name: string;
  color: string;
  values: readonly number[];
}

const escape = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** Lines over periods, one panel per title, with axes, ticks and a legend. */
export function lineChartSvg(panels: { title: string; unit: string; series: Series[] }[], width = 820, panelHeight = 220): string {
  const pad = { left: 64, right: 16, top: 28, bottom: 34 };
  const height = panels.length * panelHeight;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
  ];
  panels.forEach((panel, i) => {
    const y0 = i * panelHeight;
    const w = width - pad.left - pad.right;
    const h = panelHeight - pad.top - pad.bottom;
    const n = Math.max(1, ...panel.series.map((s) => s.values.length));
    const max = Math.max(1e-9, ...panel.series.flatMap((s) => s.values.filter(Number.isFinite)));
    const x = (t: number) => pad.left + (n <= 1 ? 0 : (t / (n - 1)) * w);
    const y = (v: number) => y0 + pad.top + h - (Math.max(0, v) / max) * h;
    parts.push(`<text x="${pad.left}" y="${y0 + 16}" font-weight="bold">${escape(panel.title)}</text>`);
    parts.push(`<line x1="${pad.left}" y1="${y0 + pad.top + h}" x2="${pad.left + w}" y2="${y0 + pad.top + h}" stroke="#888"/>`);
    parts.push(`<line x1="${pad.left}" y1="${y0 + pad.top}" x2="${pad.left}" y2="${y0 + pad.top + h}" stroke="#888"/>`);
    for (let k = 0; k <= 4; k++) {
      const v = (max * k) / 4;
      parts.push(`<text x="${pad.left - 6}" y="${y(v) + 4}" text-anchor="end" fill="#555">${escape(formatTick(v))}${escape(panel.unit)}</text>`);
      parts.push(`<line x1="${pad.left}" y1="${y(v)}" x2="${pad.left + w}" y2="${y(v)}" stroke="#eee"/>`);
    }
    for (let k = 0; k <= 5; k++) {
      const t = Math.round(((n - 1) * k) / 5);
      parts.push(`<text x="${x(t)}" y="${y0 + pad.top + h + 14}" text-anchor="middle" fill="#555">${t}</text>`);
    }
    parts.push(`<text x="${pad.left + w}" y="${y0 + pad.top + h + 28}" text-anchor="end" fill="#555">period</text>`);
    panel.series.forEach((s, j) => {
      const points = s.values.map((v, t) => `${x(t).toFixed(1)},${y(v).toFixed(1)}`).join(" ");
      parts.push(`<polyline fill="none" stroke="${s.color}" stroke-width="1.5" points="${points}"><title>${escape(s.name)}</title></polyline>`);
      parts.push(`<rect x="${pad.left + 160 + j * 150}" y="${y0 + 8}" width="10" height="10" fill="${s.color}"/>`);
      parts.push(`<text x="${pad.left + 174 + j * 150}" y="${y0 + 17}">${escape(s.name)}</text>`);
    });
  });
  parts.push("</svg>");
  return parts.join("\n");
}

const formatTick = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
