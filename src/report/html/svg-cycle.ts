/**
 * A transactional dependency cycle as a static SVG graph: transactions on a circle, one labelled,
 * curved arrow per dependency (ww, wr, rw, process, realtime). Nodes link to their ops.
 */
import { escapeHtml } from './escape.ts';
import type { CycleEvidence } from './evidence.ts';

const EDGE_COLORS: Record<string, string> = { ww: '#1f77b4', wr: '#2ca02c', rw: '#d62728', process: '#7f7f7f', realtime: '#9467bd' };

export function cycleSvg(cycle: CycleEvidence, id: string): string {
  const n = cycle.txns.length;
  const r = Math.max(80, n * 26);
  const pad = 120;
  const size = 2 * (r + pad);
  const c = size / 2;
  const at = (i: number): [number, number] => {
    const a = -Math.PI / 2 + (2 * Math.PI * i) / n;
    return [c + r * Math.cos(a), c + r * Math.sin(a)];
  };
  const parts: string[] = [];
  parts.push(
    `<svg class="cycle" viewBox="0 0 ${size} ${size}" width="${Math.min(size, 520)}" role="img" aria-label="dependency cycle of ${n} transactions">`,
    `<defs><marker id="${id}-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="context-stroke"/></marker></defs>`,
  );
  const nodeR = 22;
  for (let i = 0; i < n; i++) {
    const [x1, y1] = at(i);
    const [x2, y2] = at((i + 1) % n);
    const step = cycle.steps[i]!;
    const color = EDGE_COLORS[step.type] ?? '#444';
    // Bend each edge away from the centre so two-node cycles show two arrows.
    const mx = (x1 + x2) / 2;
    const my = (y1 + y2) / 2;
    let ox = mx - c;
    let oy = my - c;
    const len = Math.hypot(ox, oy);
    if (len < 1) {
      ox = -(y2 - y1);
      oy = x2 - x1;
    }
    const norm = Math.hypot(ox, oy) || 1;
    const bend = n === 2 ? 60 : 30;
    const cx = mx + (ox / norm) * bend;
    const cy = my + (oy / norm) * bend;
    const shorten = (x: number, y: number, tx: number, ty: number): [number, number] => {
      const d = Math.hypot(tx - x, ty - y) || 1;
      return [x + ((tx - x) / d) * (nodeR + 3), y + ((ty - y) / d) * (nodeR + 3)];
    };
    const [sx, sy] = shorten(x1, y1, cx, cy);
    const [ex, ey] = shorten(x2, y2, cx, cy);
    const lx = (sx + 2 * cx + ex) / 4 + (ox / norm) * 14;
    const ly = (sy + 2 * cy + ey) / 4 + (oy / norm) * 14;
    parts.push(
      `<path d="M${sx.toFixed(1)},${sy.toFixed(1)} Q${cx.toFixed(1)},${cy.toFixed(1)} ${ex.toFixed(1)},${ey.toFixed(1)}" fill="none" stroke="${color}" stroke-width="2" marker-end="url(#${id}-arrow)"/>`,
      `<text x="${lx.toFixed(1)}" y="${ly.toFixed(1)}" text-anchor="middle" class="edge-label" fill="${color}">${escapeHtml(step.label)}</text>`,
    );
  }
  cycle.txns.forEach((op, i) => {
    const [x, y] = at(i);
    parts.push(
      `<a href="#op-${op}" data-op="${op}"><circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="${nodeR}" class="txn"/>`,
      `<text x="${x.toFixed(1)}" y="${(y + 5).toFixed(1)}" text-anchor="middle" class="txn-label">T${i + 1}</text></a>`,
    );
  });
  parts.push('</svg>');
  return parts.join('');
}
