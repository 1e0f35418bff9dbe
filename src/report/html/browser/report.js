// The interactive part of report.html: decodes the inlined run data, draws the op timeline on a
// canvas (only the visible time range, so it stays responsive with a million ops), the latency,
// quantile and throughput charts with uPlot, fault windows as shaded bands, and the op detail
// panel. Everything it needs is inlined in the page; it makes no requests.
// A big run is drawn in two steps: first, as this script runs, from the head of the op table and
// the latency grid (both small, before this script in the page); then, once the parser has
// reached the whole table (after this script, see build.ts), from all of it.
(function () {
  'use strict';

  var TYPE_NAMES = ['ok', 'fail', 'info', 'none'];
  var TYPE_FILL = ['#6DB6FE', '#FEB5DA', '#FFAA26', '#FFD89A'];
  var POINT_HUES = [212, 335, 32, 40];
  var AXIS_W = 64;
  // What the page has drawn, and when (ms since navigation), for benchmarks and tests:
  // headPairs: pairs of the first render; latencySources: what the latency chart was drawn from
  // ('grid', then 'ops'); spent: ms of main-thread work per step.
  var state = { scriptStartMs: performance.now(), firstRenderMs: null, chartsMs: null, tableMs: null, selected: -1, headPairs: 0, latencySources: [], spent: {} };
  window.faultlineReport = state;

  function timed(name, fn) {
    var s = performance.now();
    var r = fn();
    state.spent[name] = (state.spent[name] || 0) + performance.now() - s;
    return r;
  }

  var data = timed('parse', function () { return JSON.parse(document.getElementById('fl-data').textContent); });
  var T = null;
  var windows = data.windows || [];
  var details = null;

  function base64Bytes(b64) {
    // Native decoding where the browser has it (Chromium 140+, Firefox 133+): megabytes at once.
    if (typeof Uint8Array.fromBase64 === 'function') return Uint8Array.fromBase64(b64);
    var bin = atob(b64);
    var bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return bytes;
  }

  // Inflates a gzip'd base64 blob without any request: a Blob stream through DecompressionStream.
  function inflate(b64) {
    var stream = new Blob([timed('base64', function () { return base64Bytes(b64); })]).stream().pipeThrough(new DecompressionStream('gzip'));
    return new Response(stream).arrayBuffer().then(function (buf) { return new Uint8Array(buf); });
  }

  // Zigzag LEB128 varints, as the builder writes them (pack.ts).
  function varintReader(bytes) {
    var pos = 0;
    return function () {
      var z = 0, mul = 1, b;
      do {
        b = bytes[pos++];
        z += (b & 127) * mul;
        mul *= 128;
      } while (b & 128);
      return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
    };
  }

  // The first n pairs of the op table, in the column order of PACKED_COLUMNS (op-table.ts).
  function unpackTable(t, bytes, n) {
    var next = varintReader(bytes);
    var r = {
      n: n, complete: n === t.n, lanes: t.lanes, fs: t.fs, endMs: t.endMs, nemesisLane: t.nemesisLane,
      inv: new Int32Array(n), cmp: new Int32Array(n), t0us: new Float64Array(n), t1us: new Float64Array(n),
      t0: new Float64Array(n), t1: new Float64Array(n), lane: new Uint16Array(n), type: new Uint8Array(n), f: new Uint16Array(n)
    };
    var k, acc = 0;
    for (k = 0; k < n; k++) { acc += next(); r.inv[k] = acc; }
    for (k = 0; k < n; k++) { var off = next(); r.cmp[k] = off > 0 ? r.inv[k] + off : -1; }
    acc = 0;
    for (k = 0; k < n; k++) { acc += next(); r.t0us[k] = acc; r.t0[k] = acc / 1000; }
    for (k = 0; k < n; k++) {
      var d = next();
      r.t1us[k] = r.cmp[k] >= 0 ? r.t0us[k] + d : NaN;
      r.t1[k] = r.t1us[k] / 1000;
    }
    for (k = 0; k < n; k++) r.lane[k] = next();
    for (k = 0; k < n; k++) { var tf = next(); r.type[k] = Math.floor(tf / 65536); r.f[k] = tf % 65536; }
    return r;
  }

  // The per-pair detail columns of PACKED_DETAIL_COLUMNS: process, nanoseconds of start and end
  // below the microsecond (one number: start × 1000 + end).
  function unpackPairDetail(bytes) {
    var n = data.table.n, next = varintReader(bytes), k;
    var r = { proc: new Int32Array(n), t0ns: new Int32Array(n), t1ns: new Int32Array(n) };
    for (k = 0; k < n; k++) r.proc[k] = next();
    for (k = 0; k < n; k++) {
      var sub = next();
      r.t0ns[k] = Math.floor(sub / 1000);
      r.t1ns[k] = sub % 1000;
    }
    return r;
  }

  // The detail blocks follow this script in the page: wait for the parser to reach them.
  function parsed() {
    return new Promise(function (resolve) {
      if (document.readyState !== 'loading') resolve();
      else document.addEventListener('DOMContentLoaded', function () { resolve(); }, { once: true });
    });
  }

  function loadDetails() {
    if (!details) {
      var text = function (id) {
        return inflate(document.getElementById(id).textContent.trim()).then(function (b) { return JSON.parse(new TextDecoder().decode(b)); });
      };
      var bytes = function (id) { return inflate(document.getElementById(id).textContent.trim()); };
      details = parsed().then(function () {
        return Promise.all([text('fl-values'), text('fl-extras'), bytes('fl-nodes'), bytes('fl-pairs')]);
      }).then(function (r) {
        return { values: r[0], extras: r[1], nodes: r[2], pairs: unpackPairDetail(r[3]) };
      });
    }
    return details;
  }

  function endOf(k) {
    var e = T.t1[k];
    return e === e ? e : T.endMs;
  }

  function alpha(hex, a) {
    var n = parseInt(hex.slice(1), 16);
    return 'rgba(' + ((n >> 16) & 255) + ',' + ((n >> 8) & 255) + ',' + (n & 255) + ',' + a + ')';
  }

  // ---------------------------------------------------------------- event → pair, op details
  var pairOfEvent = null;
  function pairOf(eventIndex) {
    if (!pairOfEvent) {
      var max = -1;
      for (var k = 0; k < T.n; k++) max = Math.max(max, T.inv[k], T.cmp[k]);
      pairOfEvent = new Int32Array(max + 1).fill(-1);
      for (k = 0; k < T.n; k++) {
        pairOfEvent[T.inv[k]] = k;
        if (T.cmp[k] >= 0) pairOfEvent[T.cmp[k]] = k;
      }
    }
    return eventIndex >= 0 && eventIndex < pairOfEvent.length ? pairOfEvent[eventIndex] : -1;
  }

  function eventObject(d, k, index, isInvoke) {
    var proc = d.pairs.proc[k];
    var op = {
      index: index,
      time: isInvoke ? T.t0us[k] * 1000 + d.pairs.t0ns[k] : T.t1us[k] * 1000 + d.pairs.t1ns[k],
      process: proc === -1 ? 'nemesis' : proc,
      type: isInvoke ? 'invoke' : TYPE_NAMES[T.type[k]],
      f: T.fs[T.f[k]],
      value: index < d.values.length ? d.values[index] : null
    };
    if (d.nodes[index]) op.node = data.nodes[d.nodes[index] - 1];
    var rest = d.extras[index] || {};
    for (var key in rest) op[key] = rest[key];
    return op;
  }

  function showDetail(k) {
    var box = document.getElementById('op-detail');
    box.textContent = '';
    var h = document.createElement('h3');
    var dur = T.t1[k] === T.t1[k] ? (T.t1[k] - T.t0[k]).toFixed(3) + ' ms' : 'never completed';
    h.textContent = 'op ' + T.inv[k] + ': ' + T.fs[T.f[k]] + ' on ' + T.lanes[T.lane[k]] + ' (' + TYPE_NAMES[T.type[k]] + ', ' + dur + ')';
    box.appendChild(h);
    loadDetails().then(function (d) {
      if (state.selected !== k) return;
      var parts = [['invoke', eventObject(d, k, T.inv[k], true)]];
      if (T.cmp[k] >= 0) parts.push(['completion', eventObject(d, k, T.cmp[k], false)]);
      parts.forEach(function (p) {
        var label = document.createElement('div');
        label.className = 'detail-label';
        label.textContent = p[0];
        var pre = document.createElement('pre');
        pre.className = 'detail-' + p[0];
        pre.textContent = JSON.stringify(p[1], null, 2);
        box.appendChild(label);
        box.appendChild(pre);
      });
    });
  }

  // ---------------------------------------------------------------- timeline
  var tl = {
    section: document.getElementById('timeline'),
    scroll: document.getElementById('tl-scroll'),
    space: document.getElementById('tl-space'),
    canvas: document.getElementById('tl-canvas'),
    head: document.getElementById('tl-head'),
    range: document.getElementById('tl-range'),
    byLane: [],
    anomaly: new Set(),
    anomalyList: [],
    anomalyCursor: 0,
    scale: 1,
    spanMs: 1,
    maxPx: 15e6,
    queued: false
  };

  function buildLanes() {
    tl.anomaly = new Set();
    tl.anomalyList = [];
    var counts = new Int32Array(T.lanes.length);
    for (var k = 0; k < T.n; k++) counts[T.lane[k]]++;
    var fill = new Int32Array(T.lanes.length);
    tl.byLane = [];
    for (var l = 0; l < T.lanes.length; l++) tl.byLane.push(new Int32Array(counts[l]));
    for (k = 0; k < T.n; k++) {
      var lane = T.lane[k];
      tl.byLane[lane][fill[lane]++] = k;
    }
    (data.anomalyOps || []).forEach(function (i) {
      var p = pairOf(i);
      if (p >= 0 && !tl.anomaly.has(p)) {
        tl.anomaly.add(p);
        tl.anomalyList.push(p);
      }
    });
    tl.anomalyList.sort(function (a, b) { return a - b; });
  }

  function laneWidth() {
    return Math.max(4, (tl.scroll.clientWidth - AXIS_W) / Math.max(1, T.lanes.length));
  }

  function minScale() {
    return Math.max(1e-9, tl.scroll.clientHeight / tl.spanMs);
  }

  function maxScale() {
    return Math.max(minScale(), tl.maxPx / tl.spanMs);
  }

  function initialScale() {
    var perLane = data.table.n / Math.max(1, T.lanes.length);
    var s = (10 * perLane) / tl.spanMs;
    return Math.min(maxScale(), Math.max(minScale(), s));
  }

  function setScale(s, anchorMs) {
    s = Math.min(maxScale(), Math.max(minScale(), s));
    var h = tl.scroll.clientHeight;
    if (anchorMs === undefined) anchorMs = (tl.scroll.scrollTop + h / 2) / tl.scale;
    tl.scale = s;
    tl.space.style.height = Math.ceil(tl.spanMs * s) + 'px';
    tl.scroll.scrollTop = Math.max(0, anchorMs * s - h / 2);
    requestDraw();
  }

  function requestDraw() {
    if (tl.queued) return;
    tl.queued = true;
    requestAnimationFrame(function () {
      tl.queued = false;
      drawTimeline();
    });
  }

  // First index in `arr` (pair indexes of one lane) whose start is >= t.
  function lowerBound(arr, t) {
    var lo = 0, hi = arr.length;
    while (lo < hi) {
      var mid = (lo + hi) >> 1;
      if (T.t0[arr[mid]] < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  function niceStep(rangeMs, target) {
    var raw = rangeMs / target;
    var pow = Math.pow(10, Math.floor(Math.log10(raw)));
    var steps = [1, 2, 5, 10];
    for (var i = 0; i < steps.length; i++) if (steps[i] * pow >= raw) return steps[i] * pow;
    return 10 * pow;
  }

  function fmtMs(t, step) {
    if (step >= 1000) return (t / 1000).toFixed(step >= 10000 ? 0 : 1) + ' s';
    if (step >= 1) return (t / 1000).toFixed(3) + ' s';
    return t.toFixed(3) + ' ms';
  }

  function drawTimeline() {
    var c = tl.canvas;
    var w = tl.scroll.clientWidth;
    var h = tl.scroll.clientHeight;
    var dpr = window.devicePixelRatio || 1;
    if (c.width !== Math.round(w * dpr) || c.height !== Math.round(h * dpr)) {
      c.width = Math.round(w * dpr);
      c.height = Math.round(h * dpr);
      c.style.width = w + 'px';
      c.style.height = h + 'px';
    }
    var ctx = c.getContext('2d');
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, h);
    var s = tl.scale;
    var ta = tl.scroll.scrollTop / s;
    var tb = ta + h / s;
    var lw = laneWidth();
    // fault windows
    ctx.font = '11px system-ui, sans-serif';
    windows.forEach(function (win) {
      if (win.endMs < ta || win.startMs > tb) return;
      var y0 = (win.startMs - ta) * s;
      var y1 = Math.max(y0 + 2, (win.endMs - ta) * s);
      ctx.fillStyle = alpha(win.color, 0.45);
      ctx.fillRect(AXIS_W, y0, w - AXIS_W, y1 - y0);
    });
    // lane separators
    ctx.strokeStyle = '#eee';
    for (var l = 0; l <= T.lanes.length; l++) {
      ctx.beginPath();
      ctx.moveTo(AXIS_W + l * lw + 0.5, 0);
      ctx.lineTo(AXIS_W + l * lw + 0.5, h);
      ctx.stroke();
    }
    // ops
    var drawn = 0;
    var sel = state.selected;
    var selRect = null;
    var anomalyRects = [];
    for (l = 0; l < T.lanes.length; l++) {
      var arr = tl.byLane[l];
      var i = lowerBound(arr, ta);
      var back = 0;
      while (i > 0 && back < 64 && endOf(arr[i - 1]) >= ta) { i--; back++; }
      var x = AXIS_W + l * lw + 1;
      var bw = Math.max(1, lw - 2);
      // Ops thinner than a pixel share rows: draw each completion type at most once per row.
      var lastRow = -1, rowTypes = 0;
      for (; i < arr.length; i++) {
        var k = arr[i];
        var a = T.t0[k];
        if (a > tb) break;
        var y0 = (a - ta) * s;
        var y1 = (endOf(k) - ta) * s;
        var type = T.type[k];
        var row = Math.floor(y1);
        if (row !== lastRow) { lastRow = row; rowTypes = 0; }
        else if (rowTypes & (1 << type) && k !== sel && !tl.anomaly.has(k)) continue;
        rowTypes |= 1 << type;
        var hh = Math.max(1, y1 - y0);
        ctx.fillStyle = TYPE_FILL[type];
        ctx.fillRect(x, y0, bw, hh);
        drawn++;
        if (hh >= 13 && bw >= 24) {
          ctx.fillStyle = '#222';
          ctx.fillText(T.fs[T.f[k]] + ' ' + T.inv[k], x + 3, y0 + 11, bw - 6);
        }
        if (k === sel) selRect = [x, y0, bw, hh];
        else if (tl.anomaly.has(k)) anomalyRects.push([x, y0, bw, hh]);
      }
    }
    ctx.lineWidth = 2;
    ctx.strokeStyle = '#d62728';
    anomalyRects.forEach(function (r) { ctx.strokeRect(r[0] + 1, r[1], r[2] - 2, Math.max(2, r[3])); });
    if (selRect) {
      ctx.lineWidth = 3;
      ctx.strokeStyle = '#000';
      ctx.strokeRect(selRect[0] - 1, selRect[1] - 1, selRect[2] + 2, Math.max(4, selRect[3] + 2));
    }
    ctx.lineWidth = 1;
    // time axis
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, AXIS_W - 2, h);
    var step = niceStep(Math.max(tb - ta, 1e-6), Math.max(2, h / 60));
    ctx.fillStyle = '#444';
    ctx.strokeStyle = '#ccc';
    for (var t = Math.ceil(ta / step) * step; t <= tb; t += step) {
      var y = (t - ta) * s;
      ctx.fillText(fmtMs(t, step), 2, y + 4, AXIS_W - 20);
      ctx.beginPath();
      ctx.moveTo(AXIS_W - 6, y + 0.5);
      ctx.lineTo(AXIS_W, y + 0.5);
      ctx.stroke();
    }
    // fault names on a strip along the axis, where ops never cover them
    windows.forEach(function (win) {
      if (win.endMs < ta || win.startMs > tb) return;
      var y0 = Math.max(0, (win.startMs - ta) * s);
      var y1 = Math.min(h, Math.max(y0 + 2, (win.endMs - ta) * s));
      ctx.fillStyle = win.color;
      ctx.fillRect(AXIS_W - 6, y0, 5, y1 - y0);
      ctx.save();
      ctx.translate(AXIS_W - 17, y0 + 2);
      ctx.rotate(Math.PI / 2);
      ctx.fillStyle = '#555';
      ctx.fillText(win.kind, 0, 0, Math.max(20, y1 - y0 - 4));
      ctx.restore();
    });
    tl.section.dataset.viewFrom = ta.toFixed(3);
    tl.section.dataset.viewTo = tb.toFixed(3);
    tl.section.dataset.drawn = String(drawn);
    tl.range.textContent = 'showing ' + fmtMs(ta, 1) + ' – ' + fmtMs(tb, 1) + ' (' + drawn + ' ops drawn' + (T.complete ? ')' : '; reading the ops after ' + fmtMs(T.t0[T.n - 1], 1) + '…)');
  }

  function drawHead() {
    var lw = laneWidth();
    tl.head.textContent = '';
    tl.head.style.paddingLeft = AXIS_W + 'px';
    T.lanes.forEach(function (name) {
      var span = document.createElement('span');
      span.style.width = lw + 'px';
      span.textContent = name;
      span.title = name;
      tl.head.appendChild(span);
    });
  }

  function hitTest(clientX, clientY) {
    var r = tl.scroll.getBoundingClientRect();
    var x = clientX - r.left;
    var y = clientY - r.top;
    var lane = Math.floor((x - AXIS_W) / laneWidth());
    if (lane < 0 || lane >= T.lanes.length) return -1;
    var t = (tl.scroll.scrollTop + y) / tl.scale;
    var tol = 3 / tl.scale;
    var arr = tl.byLane[lane];
    var i = lowerBound(arr, t + tol);
    for (var j = i - 1; j >= Math.max(0, i - 64); j--) {
      var k = arr[j];
      if (endOf(k) + tol >= t) return k;
      if (T.t0[k] < t - tol && endOf(k) < t - tol) break;
    }
    return -1;
  }

  function selectPair(k, scrollPage) {
    state.selected = k;
    tl.section.dataset.selectedOp = String(T.inv[k]);
    var dur = endOf(k) - T.t0[k];
    if (dur * tl.scale < 8) {
      tl.scale = Math.min(maxScale(), Math.max(tl.scale, 24 / Math.max(dur, 1e-6)));
      tl.space.style.height = Math.ceil(tl.spanMs * tl.scale) + 'px';
    }
    tl.scroll.scrollTop = Math.max(0, T.t0[k] * tl.scale - tl.scroll.clientHeight / 3);
    drawTimeline();
    showDetail(k);
    if (scrollPage) tl.section.scrollIntoView({ block: 'start' });
  }

  /**
   * Selects the op around a history index (invoke or completion) and scrolls the timeline to it;
   * false when no op has that index. Before the whole op table is read, the selection waits for
   * it (and the answer is true).
   */
  var pendingSelect = null;
  state.selectOp = function (eventIndex, scrollPage) {
    if (!T.complete) {
      pendingSelect = [eventIndex, scrollPage];
      return true;
    }
    var k = pairOf(eventIndex);
    if (k < 0) return false;
    selectPair(k, scrollPage !== false);
    return true;
  };

  function anomalyButtons() {
    document.querySelectorAll('[data-jump="anomaly"]').forEach(function (b) { b.disabled = !tl.anomalyList.length; });
  }

  function initTimeline() {
    tl.spanMs = Math.max(T.endMs, 1) * 1.02 + 1;
    buildLanes();
    anomalyButtons();
    drawHead();
    tl.scale = initialScale();
    tl.space.style.height = Math.ceil(tl.spanMs * tl.scale) + 'px';
    tl.scroll.addEventListener('scroll', requestDraw, { passive: true });
    tl.scroll.addEventListener('click', function (e) {
      var k = hitTest(e.clientX, e.clientY);
      if (k >= 0) selectPair(k, false);
    });
    tl.scroll.addEventListener('wheel', function (e) {
      if (!e.ctrlKey) return;
      e.preventDefault();
      var r = tl.scroll.getBoundingClientRect();
      var anchor = (tl.scroll.scrollTop + e.clientY - r.top) / tl.scale;
      var before = e.clientY - r.top;
      var s = tl.scale * (e.deltaY < 0 ? 1.25 : 0.8);
      setScale(s, anchor);
      tl.scroll.scrollTop = Math.max(0, anchor * tl.scale - before);
    }, { passive: false });
    document.querySelectorAll('[data-zoom]').forEach(function (b) {
      b.addEventListener('click', function () { setScale(tl.scale * (b.dataset.zoom === 'in' ? 2 : 0.5)); });
    });
    document.querySelectorAll('[data-jump="anomaly"]').forEach(function (b) {
      b.addEventListener('click', function () {
        if (!tl.anomalyList.length) return;
        selectPair(tl.anomalyList[tl.anomalyCursor++ % tl.anomalyList.length], false);
      });
    });
    drawTimeline();
  }

  // ---------------------------------------------------------------- links from the static panels
  document.addEventListener('click', function (e) {
    var a = e.target.closest ? e.target.closest('[data-op]') : null;
    if (!a) return;
    var idx = parseInt(a.getAttribute('data-op'), 10);
    if (!isNaN(idx) && state.selectOp(idx, true)) e.preventDefault();
  });

  // ---------------------------------------------------------------- charts
  function faultLegend() {
    var box = document.getElementById('fault-legend');
    var seen = {};
    windows.forEach(function (w) {
      if (seen[w.kind]) return;
      seen[w.kind] = true;
      var item = document.createElement('span');
      item.className = 'legend-item';
      var sw = document.createElement('span');
      sw.className = 'swatch';
      sw.style.background = w.color;
      item.appendChild(sw);
      item.appendChild(document.createTextNode(w.kind));
      box.appendChild(item);
    });
    if (windows.length) box.insertBefore(document.createTextNode('Faults: '), box.firstChild);
  }

  function bandsHook(u) {
    var ctx = u.ctx;
    var top = u.bbox.top, height = u.bbox.height;
    ctx.save();
    // uPlot leaves the text alignment of its last axis label behind: set all of it.
    ctx.font = Math.round(11 * (window.devicePixelRatio || 1)) + 'px system-ui, sans-serif';
    ctx.textAlign = 'left';
    ctx.textBaseline = 'alphabetic';
    windows.forEach(function (w) {
      var x0 = u.valToPos(w.startMs / 1000, 'x', true);
      var x1 = u.valToPos(w.endMs / 1000, 'x', true);
      var left = Math.max(u.bbox.left, x0);
      var right = Math.min(u.bbox.left + u.bbox.width, Math.max(x1, x0 + 2));
      if (right <= left) return;
      ctx.fillStyle = alpha(w.color, 0.45);
      ctx.fillRect(left, top, right - left, height);
      ctx.fillStyle = '#555';
      ctx.fillText(w.kind, left + 3, top + 12 * (window.devicePixelRatio || 1));
    });
    ctx.restore();
  }

  function chartWidth(el) {
    return Math.max(300, el.clientWidth || 800);
  }

  function pointColor(type, f, nF) {
    var light = nF > 1 ? 38 + (f * 30) / (nF - 1) : 50;
    return 'hsl(' + POINT_HUES[type] + ',80%,' + light + '%)';
  }

  // [r, g, b] of a CSS colour, as the canvas paints it.
  var swatch = null;
  function rgbOf(css) {
    if (!swatch) {
      var c = document.createElement('canvas');
      c.width = c.height = 1;
      swatch = c.getContext('2d', { willReadFrequently: true });
    }
    swatch.clearRect(0, 0, 1, 1);
    swatch.fillStyle = css;
    swatch.fillRect(0, 0, 1, 1);
    var px = swatch.getImageData(0, 0, 1, 1).data;
    return [px[0], px[1], px[2]];
  }

  // Every client op that completed in the table read so far, as points of the latency chart:
  // start time (s), log10 of the latency (ms) and colour index, sorted by start time, and the
  // smallest and largest start time and latency.
  var tablePoints = null;
  function pointsOfTable() {
    if (!tablePoints || tablePoints.table !== T) {
      var nF = T.fs.length, m = 0, k;
      for (k = 0; k < T.n; k++) if (T.lane[k] !== T.nemesisLane && T.type[k] !== 3) m++;
      var p = { table: T, xs: new Float64Array(m), lys: new Float64Array(m), cat: new Uint16Array(m), x0: Infinity, x1: -Infinity, y0: Infinity, y1: -Infinity };
      var j = 0;
      for (k = 0; k < T.n; k++) {
        if (T.lane[k] === T.nemesisLane || T.type[k] === 3) continue;
        var x = T.t0[k] / 1000, y = Math.max(0.001, T.t1[k] - T.t0[k]);
        p.xs[j] = x;
        p.lys[j] = Math.log10(y);
        p.cat[j++] = T.type[k] * nF + T.f[k];
        if (x < p.x0) p.x0 = x;
        if (x > p.x1) p.x1 = x;
        if (y < p.y0) p.y0 = y;
        if (y > p.y1) p.y1 = y;
      }
      tablePoints = p;
    }
    return tablePoints;
  }

  // Marks a size × size point with its top-left pixel at (x, y) in `top1`, which holds the colour
  // index + 1 of the point on top of each pixel of a w × h plot: the later colour wins.
  function stamp(top1, w, h, size, x, y, c) {
    var x1 = Math.min(w, x + size), y1 = Math.min(h, y + size);
    if (x < 0) x = 0;
    if (y < 0) y = 0;
    for (; y < y1; y++) {
      for (var at = y * w + x, end = y * w + x1; at < end; at++) if (top1[at] <= c) top1[at] = c + 1;
    }
  }

  // The latency of every op as a point, painted pixel by pixel into one image (a million fillRect
  // calls would take seconds): from the set cells of the latency grid (latency-grid.ts), each
  // drawn at its centre, until the whole table is read, then from the ops themselves.
  function latencyChart() {
    var el = document.getElementById('chart-latency');
    var nF = T.fs.length;
    var grid = T.complete ? null : data.latencyGrid;
    var gridBits = grid ? grid.cats.map(function (c) { return { cat: c.type * nF + c.f, bits: base64Bytes(c.cells) }; }) : null;
    var first = grid || pointsOfTable();
    var xRange = first.x1 >= first.x0 ? [first.x0, first.x1] : [0, Math.max(T.endMs / 1000, 0.001)];
    var yRange = first.y1 >= first.y0 ? [first.y0, first.y1] : [0.001, 1];
    var hidden = {};
    var colors = [], rgb = [];
    for (var t = 0; t < 3; t++) for (var f = 0; f < nF; f++) colors.push(pointColor(t, f, nF));
    var layer = document.createElement('canvas');

    function drawPoints(u) {
      var source = grid && !T.complete ? 'grid' : 'ops';
      if (state.latencySources[state.latencySources.length - 1] !== source) state.latencySources.push(source);
      timed(source === 'grid' ? 'latencyFromGrid' : 'latencyFromOps', function () { drawPointsNow(u, source); });
    }
    function drawPointsNow(u, source) {
      var sx = u.scales.x, sy = u.scales.y;
      if (sx.min == null || sy.min == null) return;
      var l = Math.round(u.bbox.left), top = Math.round(u.bbox.top), w = Math.round(u.bbox.width), h = Math.round(u.bbox.height);
      if (w <= 0 || h <= 0) return;
      if (!rgb.length) rgb = colors.map(rgbOf);
      var shown = new Uint8Array(colors.length);
      for (var c = 0; c < colors.length; c++) shown[c] = hidden['t' + Math.floor(c / nF)] || hidden['f' + (c % nF)] ? 0 : 1;
      var size = Math.max(2, Math.round(2 * (window.devicePixelRatio || 1)));
      // pixel = value * k + o, for x in seconds and y as log10 of ms; o centres the point.
      var kx = w / (sx.max - sx.min), ox = -sx.min * kx - size / 2;
      var ly0 = Math.log10(sy.min), kly = -h / (Math.log10(sy.max) - ly0), oy = h - ly0 * kly - size / 2;
      var top1 = new Uint8Array(w * h);
      var i, j;
      if (source === 'grid') {
        var cw = (grid.x1 - grid.x0) / grid.xBins, gy0 = Math.log10(grid.y0), ch = (Math.log10(grid.y1) - gy0) / grid.yBins;
        var colX = new Int32Array(grid.xBins), rowY = new Int32Array(grid.yBins);
        for (i = 0; i < grid.xBins; i++) colX[i] = Math.round((grid.x0 + (i + 0.5) * cw) * kx + ox);
        for (i = 0; i < grid.yBins; i++) rowY[i] = Math.round((gy0 + (i + 0.5) * ch) * kly + oy);
        gridBits.forEach(function (g) {
          if (!shown[g.cat]) return;
          for (var byte = 0; byte < g.bits.length; byte++) {
            for (var v = g.bits[byte], cell = byte * 8; v; v >>= 1, cell++) {
              if (!(v & 1)) continue;
              var col = (cell / grid.yBins) | 0;
              stamp(top1, w, h, size, colX[col], rowY[cell - col * grid.yBins], g.cat);
            }
          }
        });
      } else {
        var p = pointsOfTable();
        var to = lowerBoundX(p.xs, sx.max + 1e-9);
        for (j = lowerBoundX(p.xs, sx.min); j < to; j++) {
          if (shown[p.cat[j]]) stamp(top1, w, h, size, Math.round(p.xs[j] * kx + ox), Math.round(p.lys[j] * kly + oy), p.cat[j]);
        }
      }
      layer.width = w;
      layer.height = h;
      var lctx = layer.getContext('2d');
      var img = lctx.createImageData(w, h);
      var px = img.data;
      for (i = 0; i < top1.length; i++) {
        if (!top1[i]) continue;
        var color = rgb[top1[i] - 1], o = i * 4;
        px[o] = color[0];
        px[o + 1] = color[1];
        px[o + 2] = color[2];
        px[o + 3] = 255;
      }
      lctx.putImageData(img, 0, 0);
      u.ctx.save();
      u.ctx.globalAlpha = 1;
      u.ctx.drawImage(layer, l, top);
      u.ctx.restore();
    }
    // uPlot gets only the corners of the data, for its scales; the points are painted by drawPoints.
    var u = new uPlot({
      width: chartWidth(el), height: 320,
      legend: { show: false },
      scales: { x: { time: false }, y: { distr: 3 } },
      axes: [{ label: 'seconds since start' }, { label: 'latency (ms)', size: 70 }],
      series: [{}, { label: 'latency', stroke: 'transparent', points: { show: false }, paths: function () { return null; } }],
      hooks: { drawClear: [bandsHook], draw: [drawPoints], ready: [chartReady] }
    }, [xRange, yRange], el);
    latencyLegend(u, hidden, nF);
    // Called once the whole table is read: the points from then on are the ops themselves.
    u.useTable = function () { u.redraw(false); };
    return u;
  }

  function lowerBoundX(xs, v) {
    var lo = 0, hi = xs.length;
    while (lo < hi) {
      var mid = (lo + hi) >> 1;
      if (xs[mid] < v) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  function latencyLegend(u, hidden, nF) {
    var box = document.getElementById('latency-legend');
    function toggle(key, label, color) {
      var item = document.createElement('label');
      item.className = 'legend-item';
      var cb = document.createElement('input');
      cb.type = 'checkbox';
      cb.checked = true;
      cb.addEventListener('change', function () {
        hidden[key] = !cb.checked;
        u.redraw(false);
      });
      item.appendChild(cb);
      if (color) {
        var sw = document.createElement('span');
        sw.className = 'swatch';
        sw.style.background = color;
        item.appendChild(sw);
      }
      item.appendChild(document.createTextNode(label));
      box.appendChild(item);
    }
    for (var t = 0; t < 3; t++) toggle('t' + t, TYPE_NAMES[t], pointColor(t, 0, 1));
    box.appendChild(document.createTextNode(' | f: '));
    (data.clientFs || []).forEach(function (f) { toggle('f' + f, T.fs[f], pointColor(0, f, nF)); });
  }

  function quantileChart() {
    var el = document.getElementById('chart-quantiles');
    var q = data.quantiles;
    var names = Object.keys(q.q);
    var palette = ['#1f77b4', '#ff7f0e', '#d62728', '#7f7f7f'];
    return new uPlot({
      width: chartWidth(el), height: 260,
      scales: { x: { time: false }, y: { distr: 3 } },
      axes: [{ label: 'seconds since start' }, { label: 'latency (ms)', size: 70 }],
      series: [{ label: 's' }].concat(names.map(function (n, i) { return { label: n, stroke: palette[i % palette.length], width: 1.5, spanGaps: false }; })),
      hooks: { drawClear: [bandsHook], ready: [chartReady] }
    }, [q.t].concat(names.map(function (n) { return q.q[n].map(function (v) { return v == null ? null : Math.max(0.001, v); }); })), el);
  }

  function throughputChart() {
    var el = document.getElementById('chart-throughput');
    var th = data.throughput;
    return new uPlot({
      width: chartWidth(el), height: 260,
      scales: { x: { time: false } },
      axes: [{ label: 'seconds since start' }, { label: 'ops / s', size: 70 }],
      series: [{ label: 's' },
        { label: 'ok', stroke: '#3b8fe0', width: 1.5 },
        { label: 'fail', stroke: '#e0569b', width: 1.5 },
        { label: 'info', stroke: '#f08c00', width: 1.5 }],
      hooks: { drawClear: [bandsHook], ready: [chartReady] }
    }, [th.t, th.ok, th.fail, th.info], el);
  }

  // Each chart draws in a microtask after it is made; the charts are ready when all three have drawn.
  var chartsPending = 3;
  function chartReady() {
    if (--chartsPending > 0) return;
    state.chartsMs = performance.now();
    performance.mark('faultline-charts');
    document.body.dataset.charts = 'ready';
  }

  var charts = [];
  function renderCharts() {
    faultLegend();
    charts = [timed('latency', latencyChart), timed('quantiles', quantileChart), timed('throughput', throughputChart)];
    window.addEventListener('resize', function () {
      charts.forEach(function (u) { u.setSize({ width: chartWidth(u.root.parentNode), height: u.height }); });
      drawHead();
      requestDraw();
    });
  }

  function tableReady() {
    state.tableMs = performance.now();
    performance.mark('faultline-table');
    document.body.dataset.table = 'ready';
  }

  // The first render, as this script runs: the timeline from the head of the op table, and the
  // charts (uPlot draws them in a microtask, before the parser goes on).
  T = timed('decode', function () { return unpackTable(data.table, base64Bytes(data.table.head), data.table.headN); });
  timed('timeline', initTimeline);
  state.firstRenderMs = performance.now();
  state.headPairs = T.n;
  document.body.dataset.timeline = 'ready';
  renderCharts();
  if (T.complete) tableReady();

  /** Reads the whole op table; the one-line script after it in the page calls this. */
  state.tableParsed = function () {
    if (T.complete) return;
    inflate(document.getElementById('fl-table').textContent.trim()).then(function (bytes) {
      T = timed('wholeTable', function () { return unpackTable(data.table, bytes, data.table.n); });
      pairOfEvent = null;
      buildLanes();
      anomalyButtons();
      drawTimeline();
      if (charts[0]) charts[0].useTable();
      tableReady();
      if (pendingSelect) state.selectOp(pendingSelect[0], pendingSelect[1]);
      pendingSelect = null;
    });
  };
})();
