/* The incident layer of the map (incidents.js): clusters and draws the filtered incidents on a canvas.
 *
 * The page gets the incidents as binary files (mapapp/map_payload.py): every incident once
 * (base.bin: coordinates, type, precision flags) and the texts only in chunks fetched when the
 * user points at an incident. The script that streamlit-folium re-renders is one call,
 * mapappIncidents.draw(group, args), holding file names and the current filter as one bit
 * per incident (base64): a filter change or a rerun never sends the incidents again, and the
 * map draws a new filter without a request to the server.
 *
 * Drawing:
 * - points (exact, near a place, municipality) are clustered on a screen grid; a cluster is a
 *   ring split by event type with its count; a single incident is a dot (hollow when known only
 *   to a municipality; dashed outline when undated);
 * - a cluster whose incidents all share one point opens as a fan when small, and as a list
 *   above FAN_MAX (a fan of thousands is unreadable);
 * - region- and country-level incidents are a layer of their own, never merged with points:
 *   one area per place with a badge counting them;
 * - uncertainty areas are painted opaque on a scratch canvas and laid on the map at a fixed low
 *   opacity, so that a hundred overlapping areas are as light as one;
 * - the open incident is drawn on its own, ringed, at its true position, whatever the clusters.
 * Every text from the data is put in the page with textContent, never as HTML or code.
 */
(function () {
  "use strict";

  var GRID = 44;          // cluster cell, in screen pixels
  var FAN_MAX = 30;       // a stack of more incidents is listed instead of fanned out
  var LIST_PAGE = 50;
  var DOT = 7;            // radius of a single incident
  var VEIL_ALPHA = 0.13;  // opacity of all uncertainty areas together
  // A region's or a country's area (25 km and more) tints the map only in an overview: from
  // REGION_FADE_FROM it fades, and from REGION_OUTLINE_FROM only its dashed edge is left, so
  // that a close view inside "northern Kosovo" is not veiled grey.
  var REGION_FADE_FROM = 10;
  var REGION_OUTLINE_FROM = 11;
  var TYPE_COUNT = 6;

  var cfg = null;         // set by configure(): types, colours, precision words, radii
  var buffers = {};       // url -> Promise of ArrayBuffer
  var chunks = {};        // url -> Promise of detail rows
  var clicks = 0;

  // Performance marks (mapapp:draw-called and fetched for new data; decoded, clustered, drawn):
  // the benchmark reads them to split a redraw into its parts. Only the latest of each name is kept.
  function mark(name) {
    if (window.performance && performance.mark) {
      performance.clearMarks("mapapp:" + name);
      performance.mark("mapapp:" + name);
    }
  }

  // The server writes its binary files gzip-compressed (map_payload.py): decompressed here.
  function fetchBuffer(url) {
    if (!buffers[url]) {
      buffers[url] = fetch(url, {credentials: "same-origin"}).then(function (reply) {
        if (!reply.ok) { throw new Error("incident data " + reply.status); }
        if (!/\.gz$/.test(url)) { return reply.arrayBuffer(); }
        return new Response(reply.body.pipeThrough(new DecompressionStream("gzip"))).arrayBuffer();
      });
      buffers[url].catch(function () { delete buffers[url]; });
    }
    return buffers[url];
  }

  // Texts of the incidents at positions [chunk * size, ...): [id, sub type, date, place, summary].
  // The server writes them after the map data; a missing file is asked again a little later.
  function detailChunk(folder, chunk, tries) {
    var url = folder + "/d-" + chunk + ".json.gz";
    if (!chunks[url]) {
      chunks[url] = fetch(url, {credentials: "same-origin"}).then(function (reply) {
        if (!reply.ok) { throw new Error("details " + reply.status); }
        var stream = reply.body.pipeThrough(new DecompressionStream("gzip"));
        return new Response(stream).json();
      });
      chunks[url].catch(function () { delete chunks[url]; });
    }
    return chunks[url].catch(function (err) {
      if ((tries || 0) >= 40) { throw err; }
      return new Promise(function (resolve) { setTimeout(resolve, 500); }).then(function () {
        return detailChunk(folder, chunk, (tries || 0) + 1);
      });
    });
  }

  function details(pos) {
    var d = state.data;
    if (d.inline) { return Promise.resolve(d.inline[pos]); }
    return detailChunk(d.folder, Math.floor(pos / d.chunk)).then(function (rows) {
      return rows[pos % d.chunk];
    });
  }

  // -- data ---------------------------------------------------------------------------------

  function decodeBase(buffer, n) {
    var lat = new Float32Array(buffer, 0, n);
    var lon = new Float32Array(buffer, 4 * n, n);
    var type = new Uint8Array(buffer, 8 * n, n);
    var flags = new Uint8Array(buffer, 9 * n, n);
    // Web Mercator at zoom 0 (256 px world), once: every redraw only scales and shifts.
    var wx = new Float64Array(n), wy = new Float64Array(n);
    for (var i = 0; i < n; i++) {
      wx[i] = (lon[i] + 180) / 360 * 256;
      var s = Math.sin(lat[i] * Math.PI / 180);
      wy[i] = (0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)) * 256;
    }
    return {n: n, lat: lat, lon: lon, type: type, flags: flags, wx: wx, wy: wy};
  }

  // A filter's bits as the layer's arguments carry them (base64), decoded once per key and at
  // once: with the incidents already loaded, the map is redrawn before the page around it
  // renders the rest of the rerun.
  function inlineBuffer(key, text) {
    if (!buffers[key]) { buffers[key] = Promise.resolve(fromBase64(text)); }
    return buffers[key];
  }

  function fromBase64(text) {
    var bytes = atob(text), out = new Uint8Array(bytes.length);
    for (var i = 0; i < bytes.length; i++) { out[i] = bytes.charCodeAt(i); }
    return out.buffer;
  }

  // -- state shared by every rerun's layer --------------------------------------------------

  var state = {
    map: null, layer: null, data: null, base: null, mask: null, sel: null,
    fan: null, list: null, drawn: {singles: [], clusters: [], areas: [], fan: []},
    draws: 0, lastDraw: null, tip: null, hoverKey: null,
    // Set by other map tools (playback.js): a second bit mask the filter's is narrowed by, and
    // listeners told when new data is loaded ("data") or that mask changes ("restrict").
    restrict: null, listeners: []
  };

  var IncidentCanvas = L.Layer.extend({
    onAdd: function (map) {
      state.map = map;
      if (!map.getPane("incidents")) {
        map.createPane("incidents").style.zIndex = 450;
      }
      if (!this._canvas) {
        this._canvas = L.DomUtil.create("canvas", "incident-canvas");
        this._veil = document.createElement("canvas");
      }
      map.getPane("incidents").appendChild(this._canvas);
      map.on("moveend zoomend resize viewreset", redraw);
      map.on("zoomstart", hideCanvas);
      map.on("zoomstart", closeFan);
      map.on("mousemove", onMouseMove);
      map.on("mouseout", hideTip);
      map.on("click", onMapClick);
      redraw();
    },
    onRemove: function (map) {
      L.DomUtil.remove(this._canvas);
      map.off("moveend zoomend resize viewreset", redraw);
      map.off("zoomstart", hideCanvas);
      map.off("zoomstart", closeFan);
      map.off("mousemove", onMouseMove);
      map.off("mouseout", hideTip);
      map.off("click", onMapClick);
      hideTip();
    }
  });

  function hideCanvas() { if (state.layer) { state.layer._canvas.style.visibility = "hidden"; } }

  // -- clustering ---------------------------------------------------------------------------

  function project(i, z) {
    var scale = Math.pow(2, z);
    return [state.base.wx[i] * scale, state.base.wy[i] * scale];
  }

  function cluster(map) {
    var b = state.base, mask = state.mask, restrict = state.restrict;
    var size = map.getSize(), origin = map.getPixelBounds().min, z = map.getZoom();
    var scale = Math.pow(2, z), ox = origin.x, oy = origin.y, pad = GRID;
    var cells = new Map(), places = new Map(), veil = new Map();
    var sel = state.sel ? state.sel.pos : -1;
    var fanned = state.fan ? state.fan.members : null;
    for (var i = 0; i < b.n; i++) {
      if (!((mask[i >> 3] >> (i & 7)) & 1) || i === sel) { continue; }
      if (restrict && !((restrict[i >> 3] >> (i & 7)) & 1)) { continue; }
      var p = b.flags[i] & 7;
      if (p >= 4) {
        // Regions and countries: one area per place (to about 1 km), never clustered with points.
        var pk = p + ":" + Math.round(b.lat[i] * 100) + ":" + Math.round(b.lon[i] * 100);
        var a = places.get(pk);
        if (!a) { a = {n: 0, p: p, i: i, types: new Uint32Array(TYPE_COUNT)}; places.set(pk, a); }
        a.n++; a.types[b.type[i]]++;
        continue;
      }
      var x = b.wx[i] * scale, y = b.wy[i] * scale;
      if (p === 3) {
        var vk = Math.round(b.lat[i] * 100) * 100000 + Math.round(b.lon[i] * 100);
        if (!veil.has(vk)) { veil.set(vk, i); }
      }
      if (x < ox - pad || x > ox + size.x + pad || y < oy - pad || y > oy + size.y + pad) { continue; }
      if (fanned && fanned.has(i)) { continue; }
      var key = Math.floor(x / GRID) * 4194304 + Math.floor(y / GRID);
      var c = cells.get(key);
      if (!c) {
        c = {n: 0, sx: 0, sy: 0, i: i, minx: x, maxx: x, miny: y, maxy: y, types: new Uint32Array(TYPE_COUNT)};
        cells.set(key, c);
      }
      c.n++; c.sx += x; c.sy += y; c.types[b.type[i]]++;
      if (x < c.minx) { c.minx = x; } else if (x > c.maxx) { c.maxx = x; }
      if (y < c.miny) { c.miny = y; } else if (y > c.maxy) { c.maxy = y; }
    }
    var singles = [], clusters = [];
    cells.forEach(function (c, key) {
      if (c.n === 1) {
        singles.push({pos: c.i, x: c.sx - ox, y: c.sy - oy});
      } else {
        var stack = c.maxx - c.minx < 0.5 && c.maxy - c.miny < 0.5;
        clusters.push({
          key: key, n: c.n, x: c.sx / c.n - ox, y: c.sy / c.n - oy, types: c.types, stack: stack,
          r: 13 + Math.min(13, 3 * Math.log10(c.n)), zoom: z, bounds: [c.minx, c.miny, c.maxx, c.maxy]
        });
      }
    });
    var areas = [];
    places.forEach(function (a) {
      var w = project(a.i, z);
      areas.push({n: a.n, p: a.p, pos: a.i, x: w[0] - ox, y: w[1] - oy, types: a.types});
    });
    return {singles: singles, clusters: clusters, areas: areas, veil: veil, ox: ox, oy: oy, z: z};
  }

  // -- drawing ------------------------------------------------------------------------------

  function metresToPixels(lat, metres, z) {
    var perPixel = 40075016.686 * Math.cos(lat * Math.PI / 180) / (256 * Math.pow(2, z));
    return metres / perPixel;
  }

  function redraw() {
    var layer = state.layer, map = state.map;
    if (!layer || !map || !layer._map) { return; }
    var canvas = layer._canvas, size = map.getSize(), ratio = window.devicePixelRatio || 1;
    L.DomUtil.setPosition(canvas, map.containerPointToLayerPoint([0, 0]));
    canvas.width = size.x * ratio; canvas.height = size.y * ratio;
    canvas.style.width = size.x + "px"; canvas.style.height = size.y + "px";
    canvas.style.visibility = "visible";
    var ctx = canvas.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, size.x, size.y);
    if (!state.base || !state.mask) { return; }
    var found = cluster(map);
    mark("clustered");
    drawVeil(layer, ctx, found, size, ratio);
    found.areas.forEach(function (a) { drawPlace(ctx, a); });
    found.clusters.forEach(function (c) { drawCluster(ctx, c); });
    found.singles.forEach(function (s) { drawDot(ctx, s.x, s.y, s.pos); });
    var fan = drawFan(ctx, found);
    if (state.sel) { drawSelected(ctx, found); }
    state.drawn = {singles: found.singles, clusters: found.clusters, areas: found.areas, fan: fan};
    state.draws += 1;
    state.lastDraw = {mask: state.data.mask, at: performance.now()};
    map.getContainer().setAttribute("data-incident-draws", String(state.draws));
    mark("drawn");
  }

  function regionFill(z) {
    if (z < REGION_FADE_FROM) { return 1; }
    return Math.max(0, (REGION_OUTLINE_FROM - z) / (REGION_OUTLINE_FROM - REGION_FADE_FROM + 1));
  }

  function drawVeil(layer, ctx, found, size, ratio) {
    // Opaque on a scratch canvas, then laid down once at VEIL_ALPHA: overlaps never darken.
    var b = state.base, z = found.z, municipal = [], regions = [];
    found.veil.forEach(function (i) {
      var w = project(i, z);
      municipal.push([w[0] - found.ox, w[1] - found.oy, metresToPixels(b.lat[i], cfg.radius["3"], z)]);
    });
    found.areas.forEach(function (a) {
      if (cfg.radius[String(a.p)]) {
        regions.push([a.x, a.y, metresToPixels(b.lat[a.pos], cfg.radius[String(a.p)], z), a]);
      }
    });
    var fill = regionFill(z);
    veilPass(layer._veil, ctx, size, ratio, fill === 1 ? municipal.concat(regions) : municipal, VEIL_ALPHA);
    if (fill > 0 && fill < 1) { veilPass(layer._veil, ctx, size, ratio, regions, VEIL_ALPHA * fill); }
    // A thin solid edge, lighter than a road: where the area ends, not a line on the ground.
    ctx.save();
    ctx.strokeStyle = "rgba(61, 79, 99, 0.35)";
    ctx.lineWidth = 1;
    municipal.forEach(function (c) { ctx.beginPath(); ctx.arc(c[0], c[1], c[2], 0, 2 * Math.PI); ctx.stroke(); });
    if (fill < 1) { ctx.setLineDash([6, 5]); ctx.strokeStyle = "rgba(61, 79, 99, 0.6)"; }
    regions.forEach(function (c) { ctx.beginPath(); ctx.arc(c[0], c[1], c[2], 0, 2 * Math.PI); ctx.stroke(); });
    ctx.restore();
    regionNote(ctx, size, regions);
  }

  function veilPass(veil, ctx, size, ratio, circles, alpha) {
    var v = veil.getContext("2d");
    veil.width = size.x * ratio; veil.height = size.y * ratio;
    v.setTransform(ratio, 0, 0, ratio, 0, 0);
    v.clearRect(0, 0, size.x, size.y);
    if (!circles.length) { return; }
    v.fillStyle = "#3d4f63";
    circles.forEach(function (c) { v.beginPath(); v.arc(c[0], c[1], c[2], 0, 2 * Math.PI); v.fill(); });
    ctx.save();
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.globalAlpha = alpha;
    ctx.drawImage(veil, 0, 0);
    ctx.restore();
  }

  function regionNote(ctx, size, regions) {
    // A view centred inside a region's area with its badge out of sight still says that
    // incidents known only to that region exist.
    var n = 0, kinds = {};
    regions.forEach(function (c) {
      var a = c[3];
      var seen = a.x > -20 && a.x < size.x + 20 && a.y > -40 && a.y < size.y + 20;
      var inside = Math.hypot(size.x / 2 - c[0], size.y / 2 - c[1]) <= c[2];
      if (inside && !seen) { n += a.n; kinds[a.p === 5 ? "a country" : "a wider region"] = true; }
    });
    var text = n ? n.toLocaleString("en") + " incident" + (n === 1 ? "" : "s") + " known only to " +
      Object.keys(kinds).join(" or ") + " around this view: zoom out to see " + (n === 1 ? "it" : "them") : "";
    state.map.getContainer().setAttribute("data-region-note", text);
    if (!text) { return; }
    ctx.save();
    ctx.font = "700 11px Arial, sans-serif";
    var w = ctx.measureText(text).width + 14, h = 20, x = (size.x - w) / 2, y = size.y - h - 26;
    ctx.fillStyle = "rgba(255, 255, 255, 0.92)";
    ctx.strokeStyle = "#3d4f63";
    ctx.lineWidth = 1;
    ctx.setLineDash([4, 3]);
    ctx.beginPath();
    ctx.rect(x, y, w, h);
    ctx.fill();
    ctx.stroke();
    ctx.fillStyle = "#223";
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    ctx.fillText(text, size.x / 2, y + h / 2 + 0.5);
    ctx.restore();
  }

  function typeRing(ctx, x, y, r, width, types, total) {
    var start = -Math.PI / 2;
    for (var t = 0; t < TYPE_COUNT; t++) {
      if (!types[t]) { continue; }
      var end = start + 2 * Math.PI * types[t] / total;
      ctx.beginPath();
      ctx.arc(x, y, r - width / 2, start, end);
      ctx.strokeStyle = cfg.colours[t];
      ctx.lineWidth = width;
      ctx.stroke();
      start = end;
    }
  }

  function label(n) {
    return n >= 10000 ? Math.round(n / 1000) + "k" : n >= 1000 ? (n / 1000).toFixed(1) + "k" : String(n);
  }

  function drawCluster(ctx, c) {
    ctx.beginPath();
    ctx.arc(c.x, c.y, c.r, 0, 2 * Math.PI);
    ctx.fillStyle = "rgba(255, 255, 255, 0.95)";
    ctx.fill();
    typeRing(ctx, c.x, c.y, c.r, 6, c.types, c.n);
    ctx.beginPath();
    ctx.arc(c.x, c.y, c.r, 0, 2 * Math.PI);
    ctx.strokeStyle = c.stack ? "#111" : "rgba(0, 0, 0, 0.45)";
    ctx.lineWidth = c.stack ? 1.5 : 1;
    ctx.stroke();
    ctx.fillStyle = "#111";
    ctx.font = "700 12px Arial, sans-serif";
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    ctx.fillText(label(c.n), c.x, c.y + 0.5);
  }

  function drawDot(ctx, x, y, pos) {
    var b = state.base, p = b.flags[pos] & 7, undated = (b.flags[pos] >> 3) & 1;
    var colour = cfg.colours[b.type[pos]], hollow = p >= 3;
    ctx.beginPath();
    ctx.arc(x, y, DOT, 0, 2 * Math.PI);
    ctx.fillStyle = hollow ? "#fff" : colour;
    // Undated incidents keep their type's full colour (a faded dark blue "Strategic
    // developments" looked like a light blue "Protests"); the dashed dark outline marks them.
    ctx.globalAlpha = hollow ? 0.9 : 0.92;
    ctx.fill();
    ctx.globalAlpha = 1;
    ctx.setLineDash(undated ? (hollow ? [4, 3] : [3, 2]) : []);
    ctx.strokeStyle = hollow ? colour : (undated ? "#222" : "#fff");
    ctx.lineWidth = hollow ? 3 : (undated ? 2 : 1.5);
    ctx.stroke();
    ctx.setLineDash([]);
  }

  function drawPlace(ctx, a) {
    // A region or country: a badge with the count and a bar of the types, in its area.
    var text = label(a.n) + (a.p === 5 ? " · country" : " · region");
    ctx.font = "700 11px Arial, sans-serif";
    var w = ctx.measureText(text).width + 12, h = 20;
    // Above the place, on a short stem: a point incident near the region's centre stays visible.
    var x = a.x - w / 2, y = a.y - h - 8;
    ctx.beginPath();
    ctx.moveTo(a.x, a.y);
    ctx.lineTo(a.x, y + h);
    ctx.strokeStyle = "#3d4f63";
    ctx.lineWidth = 1.5;
    ctx.stroke();
    ctx.beginPath();
    ctx.arc(a.x, a.y, 2.5, 0, 2 * Math.PI);
    ctx.fillStyle = "#3d4f63";
    ctx.fill();
    ctx.fillStyle = "rgba(255, 255, 255, 0.95)";
    ctx.strokeStyle = "#3d4f63";
    ctx.lineWidth = 1.5;
    ctx.setLineDash(a.p === 5 ? [3, 2] : []);
    ctx.beginPath();
    ctx.rect(x, y, w, h);
    ctx.fill();
    ctx.stroke();
    ctx.setLineDash([]);
    var left = x;
    for (var t = 0; t < TYPE_COUNT; t++) {
      if (!a.types[t]) { continue; }
      var part = w * a.types[t] / a.n;
      ctx.fillStyle = cfg.colours[t];
      ctx.fillRect(left, y + h - 4, part, 4);
      left += part;
    }
    ctx.fillStyle = "#1d2a38";
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    ctx.fillText(text, a.x, y + h / 2 - 1.5);
    a.w = w; a.h = h; a.by = y + h / 2;
  }

  function drawFan(ctx, found) {
    var fan = state.fan;
    if (!fan || fan.zoom !== found.z) { return []; }
    var cx = fan.wx * Math.pow(2, found.z) - found.ox, cy = fan.wy * Math.pow(2, found.z) - found.oy;
    var list = Array.from(fan.members), spots = [];
    var radius = Math.max(28, list.length * (2 * DOT + 4) / (2 * Math.PI));
    list.forEach(function (pos, k) {
      var angle = 2 * Math.PI * k / list.length - Math.PI / 2;
      var x = cx + radius * Math.cos(angle), y = cy + radius * Math.sin(angle);
      ctx.beginPath();
      ctx.moveTo(cx, cy); ctx.lineTo(x, y);
      ctx.strokeStyle = "rgba(0, 0, 0, 0.4)"; ctx.lineWidth = 1; ctx.stroke();
      spots.push({pos: pos, x: x, y: y});
    });
    ctx.beginPath();
    ctx.arc(cx, cy, 3, 0, 2 * Math.PI);
    ctx.fillStyle = "#111"; ctx.fill();
    spots.forEach(function (s) { if (!state.sel || s.pos !== state.sel.pos) { drawDot(ctx, s.x, s.y, s.pos); } });
    return spots;
  }

  function drawSelected(ctx, found) {
    var s = state.sel, z = found.z, x, y;
    var fanSpot = (state.fan && state.fan.zoom === z) ? fanPosition(s.pos, found) : null;
    if (fanSpot) {
      x = fanSpot.x; y = fanSpot.y;
    } else {
      var w = worldOf(s.lat, s.lon, z);
      x = w[0] - found.ox; y = w[1] - found.oy;
    }
    if (s.pos >= 0 && s.pos < state.base.n) {
      drawDot(ctx, x, y, s.pos);
    }
    ctx.beginPath();
    ctx.arc(x, y, 14, 0, 2 * Math.PI);
    ctx.strokeStyle = "#111";
    ctx.lineWidth = 3;
    ctx.stroke();
    state.selAt = {x: x, y: y};
  }

  function fanPosition(pos, found) {
    var fan = state.fan;
    if (!fan || !fan.members.has(pos)) { return null; }
    var list = Array.from(fan.members), k = list.indexOf(pos);
    var cx = fan.wx * Math.pow(2, found.z) - found.ox, cy = fan.wy * Math.pow(2, found.z) - found.oy;
    var radius = Math.max(28, list.length * (2 * DOT + 4) / (2 * Math.PI));
    var angle = 2 * Math.PI * k / list.length - Math.PI / 2;
    return {x: cx + radius * Math.cos(angle), y: cy + radius * Math.sin(angle)};
  }

  function worldOf(lat, lon, z) {
    var scale = Math.pow(2, z), s = Math.sin(lat * Math.PI / 180);
    return [(lon + 180) / 360 * 256 * scale, (0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)) * 256 * scale];
  }

  // -- pointing -----------------------------------------------------------------------------

  function hit(point) {
    var d = state.drawn, x = point.x, y = point.y, k;
    function near(px, py, r) { return (px - x) * (px - x) + (py - y) * (py - y) <= r * r; }
    if (state.sel && state.selAt && near(state.selAt.x, state.selAt.y, DOT + 3)) {
      return {kind: "single", pos: state.sel.pos};
    }
    for (k = d.fan.length - 1; k >= 0; k--) {
      if (near(d.fan[k].x, d.fan[k].y, DOT + 3)) { return {kind: "single", pos: d.fan[k].pos}; }
    }
    for (k = d.singles.length - 1; k >= 0; k--) {
      if (near(d.singles[k].x, d.singles[k].y, DOT + 3)) { return {kind: "single", pos: d.singles[k].pos}; }
    }
    for (k = d.clusters.length - 1; k >= 0; k--) {
      if (near(d.clusters[k].x, d.clusters[k].y, d.clusters[k].r)) { return {kind: "cluster", cluster: d.clusters[k]}; }
    }
    for (k = d.areas.length - 1; k >= 0; k--) {
      var a = d.areas[k];
      if (Math.abs(a.x - x) <= a.w / 2 && Math.abs(a.by - y) <= a.h / 2) { return {kind: "place", place: a}; }
    }
    return null;
  }

  function onMouseMove(e) {
    if (state.pending) { state.pending = e.containerPoint; return; }
    state.pending = e.containerPoint;
    requestAnimationFrame(function () {
      var point = state.pending;
      state.pending = null;
      hover(point);
    });
  }

  function hover(point) {
    var found = hit(point);
    var container = state.map.getContainer();
    container.classList.toggle("incident-pointer", Boolean(found));
    if (!found) { hideTip(); return; }
    var key = found.kind === "single" ? "s" + found.pos : found.kind === "cluster" ? "c" + found.cluster.key : "p" + found.place.pos;
    if (key !== state.hoverKey) {
      state.hoverKey = key;
      fillTip(found);
    }
    placeTip(point);
  }

  function tipElement() {
    if (!state.tip || !state.tip.isConnected) {
      state.tip = L.DomUtil.create("div", "incident-tip", state.map.getContainer());
    }
    return state.tip;
  }

  function lines(div, rows) {
    div.textContent = "";
    rows.forEach(function (row) {
      var el = document.createElement(row[1] || "div");
      el.textContent = row[0];
      if (row[2]) { el.className = row[2]; }
      div.appendChild(el);
    });
  }

  function typeMix(types, total) {
    var parts = [];
    for (var t = 0; t < TYPE_COUNT; t++) {
      if (types[t]) { parts.push(cfg.types[t] + " " + types[t]); }
    }
    return parts.join(" · ");
  }

  function fillTip(found) {
    var div = tipElement(), b = state.base;
    if (found.kind === "cluster") {
      var c = found.cluster;
      lines(div, [
        [c.n.toLocaleString("en") + " incidents" + (c.stack ? " at one point" : ""), "b"],
        [typeMix(c.types, c.n)],
        [c.stack ? (c.n > FAN_MAX ? "Click to list them." : "Click to spread them out.") : "Click to zoom in.", "div", "muted"]
      ]);
      return;
    }
    if (found.kind === "place") {
      var a = found.place;
      lines(div, [
        [a.n.toLocaleString("en") + " incidents known only to a " + (a.p === 5 ? "country" : "wider region"), "b"],
        [typeMix(a.types, a.n)],
        ["Click to list them.", "div", "muted"]
      ]);
      return;
    }
    var pos = found.pos, key = state.hoverKey;
    lines(div, [[cfg.types[b.type[pos]], "b"], ["…"]]);
    details(pos).then(function (row) {
      if (state.hoverKey !== key || !row) { return; }
      lines(div, [
        [cfg.types[b.type[pos]] + " / " + row[1], "b"],
        [row[2]],
        [row[3] + " · " + cfg.precisions[String(b.flags[pos] & 7)]],
        [row[4]],
        [row[0], "div", "muted"]
      ]);
    }, function () {});
  }

  function placeTip(point) {
    var div = tipElement(), size = state.map.getSize();
    div.style.display = "block";
    var left = point.x + 14, top = point.y + 10;
    if (left + div.offsetWidth > size.x) { left = Math.max(0, point.x - div.offsetWidth - 14); }
    if (top + div.offsetHeight > size.y) { top = Math.max(0, point.y - div.offsetHeight - 10); }
    div.style.left = left + "px";
    div.style.top = top + "px";
  }

  function hideTip() {
    state.hoverKey = null;
    if (state.tip) { state.tip.style.display = "none"; }
  }

  function onMapClick(e) {
    var found = hit(e.containerPoint);
    if (!found) {
      if (state.fan) { closeFan(); redraw(); }
      return;
    }
    if (found.kind === "single") {
      select(found.pos, e.latlng);
    } else if (found.kind === "cluster") {
      openCluster(found.cluster);
    } else {
      openList(membersOfPlace(found.place), found.place.n + " incidents known only to a " +
        (found.place.p === 5 ? "country" : "wider region"));
    }
  }

  function select(pos, latlng) {
    var b = state.base;
    state.sel = {pos: pos, lat: b.lat[pos], lon: b.lon[pos]};
    redraw();
    clicks += 1;
    // streamlit-folium reports a clicked layer's toGeoJSON() as last_active_drawing: the
    // incident's position in this data (the server knows its id). A new `click` number makes
    // a repeated click count.
    var properties = {pos: pos, base: state.data.base, click: clicks};
    if (state.data.inline && state.data.inline[pos]) {
      properties.id = state.data.inline[pos][0];  // a standalone map has the texts in it
    }
    var feature = {type: "Feature", properties: properties, geometry: {type: "Point", coordinates: [b.lon[pos], b.lat[pos]]}};
    state.layer.fire("click", {
      latlng: latlng || L.latLng(b.lat[pos], b.lon[pos]),
      layer: {toGeoJSON: function () { return feature; }}
    });
  }

  function membersOf(test) {
    var b = state.base, mask = state.mask, out = [];
    for (var i = 0; i < b.n; i++) {
      if (((mask[i >> 3] >> (i & 7)) & 1) && test(i)) { out.push(i); }
    }
    return out;
  }

  function membersOfCell(c) {
    var b = state.base, scale = Math.pow(2, c.zoom), sel = state.sel ? state.sel.pos : -1;
    return membersOf(function (i) {
      if ((b.flags[i] & 7) >= 4 || i === sel) { return false; }
      var x = b.wx[i] * scale, y = b.wy[i] * scale;
      return Math.floor(x / GRID) * 4194304 + Math.floor(y / GRID) === c.key;
    });
  }

  function membersOfPlace(a) {
    var b = state.base, lat = Math.round(b.lat[a.pos] * 100), lon = Math.round(b.lon[a.pos] * 100);
    return membersOf(function (i) {
      return (b.flags[i] & 7) === a.p && Math.round(b.lat[i] * 100) === lat && Math.round(b.lon[i] * 100) === lon;
    });
  }

  function openCluster(c) {
    var map = state.map;
    if (!c.stack && map.getZoom() < map.getMaxZoom()) {
      // bounds: the members' extent in world pixels at the zoom the cluster was made for.
      var sw = map.unproject([c.bounds[0], c.bounds[3]], c.zoom);
      var ne = map.unproject([c.bounds[2], c.bounds[1]], c.zoom);
      var target = Math.min(map.getBoundsZoom(L.latLngBounds(sw, ne)), map.getMaxZoom());
      map.setView(L.latLngBounds(sw, ne).getCenter(), Math.max(target, map.getZoom() + 1));
      return;
    }
    var members = membersOfCell(c);
    if (members.length > FAN_MAX) {
      openList(members, members.length + " incidents at one point");
      return;
    }
    var first = members[0];
    state.fan = {members: new Set(members), wx: state.base.wx[first], wy: state.base.wy[first], zoom: map.getZoom()};
    redraw();
  }

  function closeFan() { state.fan = null; }

  // A list of incidents over the map (a stack too big to fan out, or a region's incidents).
  function openList(members, title) {
    closeList();
    var map = state.map;
    var div = L.DomUtil.create("div", "incident-list", map.getContainer());
    L.DomEvent.disableClickPropagation(div);
    L.DomEvent.disableScrollPropagation(div);
    var head = L.DomUtil.create("div", "incident-list-head", div);
    var h = document.createElement("b");
    h.textContent = title;
    head.appendChild(h);
    var close = L.DomUtil.create("button", "incident-list-close", head);
    close.type = "button";
    close.textContent = "×";
    close.setAttribute("aria-label", "Close the list");
    close.addEventListener("click", closeList);
    var body = L.DomUtil.create("ol", "incident-list-body", div);
    var more = L.DomUtil.create("button", "incident-list-more", div);
    more.type = "button";
    var shownCount = 0;
    function page() {
      members.slice(shownCount, shownCount + LIST_PAGE).forEach(function (pos) {
        var item = L.DomUtil.create("li", "", body);
        var button = L.DomUtil.create("button", "incident-list-item", item);
        button.type = "button";
        button.setAttribute("data-position", String(pos));
        var swatch = L.DomUtil.create("span", "swatch", button);
        swatch.style.background = cfg.colours[state.base.type[pos]];
        var text = L.DomUtil.create("span", "", button);
        text.textContent = cfg.types[state.base.type[pos]] + " …";
        details(pos).then(function (row) {
          if (row) { text.textContent = row[2] + " · " + row[1] + " · " + row[4]; }
        }, function () {});
        button.addEventListener("click", function () {
          body.querySelectorAll(".incident-list-item.selected").forEach(function (el) { el.classList.remove("selected"); });
          button.classList.add("selected");
          select(pos);
        });
      });
      shownCount = Math.min(members.length, shownCount + LIST_PAGE);
      more.textContent = "Show " + Math.min(LIST_PAGE, members.length - shownCount) + " more of " +
        (members.length - shownCount).toLocaleString("en");
      more.style.display = shownCount < members.length ? "block" : "none";
    }
    more.addEventListener("click", page);
    page();
    state.list = div;
  }

  function closeList() {
    if (state.list) { L.DomUtil.remove(state.list); }
    state.list = null;
  }

  // -- entry points -------------------------------------------------------------------------

  window.mapappIncidents = {
    configure: function (config) { cfg = config; },

    // Called by each rerun's layer script with the file names and the open incident.
    draw: function (group, args) {
      if (!state.layer) { state.layer = new IncidentCanvas(); }
      var base = args.base, mask = args.mask, loading;
      if (args.inline) {
        // A standalone map: the data is in the script (see map_build.inline_args).
        base = "inline:" + args.inline.base.length + ":" + args.inline.base.slice(0, 64);
        mask = "inline:" + args.inline.mask;
        loading = Promise.resolve([fromBase64(args.inline.base), fromBase64(args.inline.mask)]);
      } else {
        loading = Promise.all([fetchBuffer(base), inlineBuffer(mask, args.bits)]);
      }
      var sameData = state.data && state.data.base === base && state.data.mask === mask;
      if (!sameData) { closeFan(); closeList(); mark("draw-called"); }
      state.data = {
        base: base, mask: mask, folder: args.details, chunk: args.chunk, n: args.n, shown: args.shown,
        inline: args.inline ? args.inline.details : null, args: args
      };
      state.sel = args.sel ? {pos: args.sel.pos, lat: args.sel.lat, lon: args.sel.lon} : null;
      group.addLayer(state.layer);
      var wanted = state.data;
      loading.then(function (got) {
        if (state.data !== wanted) { return; }
        if (!sameData) { mark("fetched"); }
        if (!state.base || state.base.url !== base) {
          state.base = decodeBase(got[0], args.n);
          state.base.url = base;
          mark("decoded");
        }
        state.mask = new Uint8Array(got[1]);
        redraw();
        state.listeners.forEach(function (listener) { listener("data"); });
      }, function (err) { console.error(err); });
      return group;
    },

    // For tests and benchmarks: what is drawn now, in container pixels.
    state: function () {
      var d = state.drawn;
      return {
        draws: state.draws,
        mask: state.lastDraw ? state.lastDraw.mask : null,
        shown: state.data ? state.data.shown : 0,
        singles: d.singles.map(function (s) { return {pos: s.pos, x: s.x, y: s.y}; }),
        clusters: d.clusters.map(function (c) { return {n: c.n, x: c.x, y: c.y, r: c.r, stack: c.stack, types: Array.from(c.types)}; }),
        areas: d.areas.map(function (a) { return {n: a.n, p: a.p, pos: a.pos, x: a.x, y: a.y, bx: a.x, by: a.by}; }),
        fan: d.fan.map(function (s) { return {pos: s.pos, x: s.x, y: s.y}; }),
        selected: state.sel ? {
          pos: state.sel.pos, x: state.selAt ? state.selAt.x : null, y: state.selAt ? state.selAt.y : null,
          shown: Boolean(state.mask && state.sel.pos >= 0 && ((state.mask[state.sel.pos >> 3] >> (state.sel.pos & 7)) & 1))
        } : null,
        list: state.list ? state.list.querySelectorAll(".incident-list-item").length : 0
      };
    },
    // For other map tools (playback.js, density.js): the loaded incidents (decoded base.bin),
    // the filter's bit mask, the layer's arguments and the map; null before the first load.
    current: function () {
      if (!state.base || !state.mask) { return null; }
      return {base: state.base, mask: state.mask, args: state.data.args, map: state.map};
    },
    onData: function (listener) { state.listeners.push(listener); },
    // An ArrayBuffer of one of the server's data files (decompressed), fetched once per URL.
    fetchBuffer: fetchBuffer,
    // Narrow what is drawn by a second bit mask (null: the filter's alone) and draw again.
    restrict: function (bits) {
      state.restrict = bits;
      redraw();
      state.listeners.forEach(function (listener) { listener("restrict"); });
    },
    restricted: function () { return state.restrict; },
    ids: function (positions) {
      return Promise.all(positions.map(function (pos) { return details(pos).then(function (row) { return row[0]; }); }));
    },
    // Every position shown by the filter whose incidents fall in a drawn cluster, place or single.
    positions: function () {
      return state.mask ? membersOf(function () { return true; }) : [];
    }
  };
})();
