/* Density of the shown incidents as hexagons (density.py): counts per cell, on its own canvas.
 *
 * The grid is pointy-top hexagons of RADIUS screen pixels laid on Web Mercator pixels at the
 * current zoom, so the cells follow the zoom (a cell is about 90 km across at zoom 7 and 700 m
 * at zoom 14) and stay put while panning. Only incidents placed no wider than a municipality
 * (location precision 1-3) are counted: a region- or country-level point is a label position,
 * not where it happened; the legend says how many are left out. Every incident that the map
 * shows (the filter, and playback's window when it runs) is counted, on screen or not.
 */
(function () {
  "use strict";

  var RADIUS = 22;  // hexagon radius in screen pixels
  var COLOURS = ["#fee391", "#fec44f", "#fe9929", "#ec7014", "#cc4c02", "#8c2d04"];
  var SQRT3 = Math.sqrt(3);
  var state = {on: false, layer: null, cells: null, zoom: null, built: null, legend: null};

  function bit(bits, i) { return (bits[i >> 3] >> (i & 7)) & 1; }

  // Axial coordinates of the hexagon containing world pixel (x, y) (cube rounding).
  function hexOf(x, y) {
    var q = (SQRT3 / 3 * x - y / 3) / RADIUS, r = (2 / 3 * y) / RADIUS, s = -q - r;
    var rq = Math.round(q), rr = Math.round(r), rs = Math.round(s);
    var dq = Math.abs(rq - q), dr = Math.abs(rr - r), ds = Math.abs(rs - s);
    if (dq > dr && dq > ds) { rq = -rr - rs; } else if (dr > ds) { rr = -rq - rs; }
    return [rq, rr];
  }

  function centreOf(q, r) { return [RADIUS * SQRT3 * (q + r / 2), RADIUS * 1.5 * r]; }

  // Count the shown, located incidents per cell at zoom z.
  function build(z) {
    var data = window.mapappIncidents.current();
    if (!data) { return null; }
    var t0 = performance.now();
    var b = data.base, mask = data.mask, restrict = window.mapappIncidents.restricted();
    var scale = Math.pow(2, z), cells = new Map(), counted = 0, leftOut = 0;
    for (var i = 0; i < b.n; i++) {
      if (!bit(mask, i) || (restrict && !bit(restrict, i))) { continue; }
      if ((b.flags[i] & 7) >= 4) { leftOut++; continue; }
      var h = hexOf(b.wx[i] * scale, b.wy[i] * scale);
      var key = h[0] * 1048576 + h[1];
      var cell = cells.get(key);
      if (!cell) { cell = {q: h[0], r: h[1], n: 0}; cells.set(key, cell); }
      cell.n++;
      counted++;
    }
    var max = 0;
    cells.forEach(function (cell) { if (cell.n > max) { max = cell.n; } });
    return {cells: cells, counted: counted, leftOut: leftOut, max: max, zoom: z, ms: performance.now() - t0};
  }

  // Class breaks for the colour scale: equal steps of log(count), whole numbers, ascending.
  function breaks(max) {
    var out = [1];
    for (var k = 1; k < COLOURS.length; k++) {
      var b = Math.round(Math.exp(Math.log(Math.max(max, 1)) * k / COLOURS.length));
      if (b > out[out.length - 1]) { out.push(b); }
    }
    return out;
  }

  function colourOf(n, steps) {
    var k = 0;
    while (k + 1 < steps.length && n >= steps[k + 1]) { k++; }
    return COLOURS[Math.round(k * (COLOURS.length - 1) / Math.max(1, steps.length - 1))];
  }

  var HexLayer = L.Layer.extend({
    onAdd: function (map) {
      if (!map.getPane("density")) { map.createPane("density").style.zIndex = 440; }
      this._canvas = this._canvas || L.DomUtil.create("canvas", "density-canvas");
      map.getPane("density").appendChild(this._canvas);
      map.on("moveend zoomend resize viewreset", redraw);
      redraw();
    },
    onRemove: function (map) {
      L.DomUtil.remove(this._canvas);
      map.off("moveend zoomend resize viewreset", redraw);
    }
  });

  function redraw() {
    var layer = state.layer, data = window.mapappIncidents.current();
    if (!layer || !layer._map || !data) { return; }
    var map = layer._map, z = map.getZoom();
    if (!state.built || state.built.zoom !== z) { state.built = build(z); }
    var built = state.built, size = map.getSize(), ratio = window.devicePixelRatio || 1;
    var canvas = layer._canvas, origin = map.getPixelBounds().min;
    L.DomUtil.setPosition(canvas, map.containerPointToLayerPoint([0, 0]));
    canvas.width = size.x * ratio; canvas.height = size.y * ratio;
    canvas.style.width = size.x + "px"; canvas.style.height = size.y + "px";
    var ctx = canvas.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, size.x, size.y);
    var steps = breaks(built.max), drawn = 0;
    ctx.globalAlpha = 0.72;
    ctx.strokeStyle = "rgba(90, 50, 10, 0.55)";
    ctx.lineWidth = 1;
    built.cells.forEach(function (cell) {
      var c = centreOf(cell.q, cell.r), x = c[0] - origin.x, y = c[1] - origin.y;
      if (x < -RADIUS || y < -RADIUS || x > size.x + RADIUS || y > size.y + RADIUS) { return; }
      ctx.beginPath();
      for (var k = 0; k < 6; k++) {
        var a = Math.PI / 180 * (60 * k - 30);
        var px = x + RADIUS * Math.cos(a), py = y + RADIUS * Math.sin(a);
        if (k === 0) { ctx.moveTo(px, py); } else { ctx.lineTo(px, py); }
      }
      ctx.closePath();
      ctx.fillStyle = colourOf(cell.n, steps);
      ctx.fill();
      ctx.stroke();
      drawn++;
    });
    ctx.globalAlpha = 1;
    built.drawn = drawn;
    legend(built, steps);
  }

  function legend(built, steps) {
    var box = state.legend;
    if (!box) { return; }
    box.textContent = "";
    var title = document.createElement("b");
    title.textContent = "Incidents per hexagon";
    box.appendChild(title);
    var scale = document.createElement("div");
    scale.className = "density-scale";
    box.appendChild(scale);
    steps.forEach(function (low, k) {
      var high = k + 1 < steps.length ? steps[k + 1] - 1 : built.max;
      var row = document.createElement("div");
      row.className = "density-row";
      var swatch = document.createElement("span");
      swatch.className = "density-swatch";
      swatch.style.background = colourOf(low, steps);
      row.appendChild(swatch);
      row.appendChild(document.createTextNode(low === high ? String(low) : low + "–" + high));
      scale.appendChild(row);
    });
    var note = document.createElement("div");
    note.className = "density-note";
    note.textContent = built.counted + " located incident(s) in " + built.cells.size + " cell(s); " +
      built.leftOut + " region- or country-level incident(s) left out: their point is not where it happened.";
    box.appendChild(note);
  }

  function refresh() {
    state.built = null;
    if (state.on) { redraw(); }
  }

  window.mapappDensity = {
    // The panel of map tools (tools.js) calls this with the map and the legend's element.
    attach: function (map, legendBox) {
      state.legend = legendBox;
      state.layer = state.layer || new HexLayer();
      window.mapappIncidents.onData(refresh);
    },
    show: function (map, on) {
      state.on = on;
      if (on) { state.built = null; state.layer.addTo(map); } else { state.layer.remove(); }
      state.legend.hidden = !on;
    },
    refresh: refresh,
    // For tests and benchmarks: the cells of the current zoom and the time their count took.
    state: function () {
      var b = state.built;
      if (!b) { return null; }
      var cells = [];
      b.cells.forEach(function (cell) { cells.push([cell.q, cell.r, cell.n]); });
      return {zoom: b.zoom, cells: cells, counted: b.counted, leftOut: b.leftOut, max: b.max, ms: b.ms,
              drawn: b.drawn || 0};
    },
    // For the benchmark: count again at zoom z (ms).
    rebuild: function (z) { var b = build(z); return b ? b.ms : null; }
  };
})();
