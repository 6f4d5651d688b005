/* Time playback of the shown incidents (playback.py), in the browser on the data already there.
 *
 * Frames step through the filtered incidents' dates by a window of a day, a week (Monday to
 * Sunday) or a calendar month. The rule for what a frame shows (README "Time playback"):
 * an incident is in a window when its whole date range lies inside it. An incident dated more
 * vaguely than the window (a month-precise event in weekly frames), or whose range crosses two
 * windows, is in no frame; undated incidents are in none: the control counts both, so nothing
 * is shown as if its date were exact. Earlier incidents are hidden, or kept faded.
 * A frame is one pass over a typed array and a redraw: no server round trip.
 */
(function () {
  "use strict";

  var NO_DAY = -2147483648;
  var SPEEDS = [0.5, 1, 2, 4, 8];  // frames per second
  var state = {
    map: null, dates: null, datesKey: null, frames: [], frame: 0, unit: "month", speed: 2,
    earlier: "hidden", playing: false, timer: null, on: false, ui: null, fade: null, last: null, placed: null
  };

  function bit(bits, i) { return (bits[i >> 3] >> (i & 7)) & 1; }

  function dayText(day) { return new Date(day * 86400000).toISOString().slice(0, 10); }

  function loadDates() {
    var data = window.mapappIncidents.current();
    if (!data) { return Promise.resolve(null); }
    var args = data.args, n = data.base.n;
    var key = args.inline ? "inline:" + args.inline.dates.length + ":" + args.inline.dates.slice(0, 64) : args.dates;
    if (state.datesKey === key && state.dates) { return Promise.resolve(state.dates); }
    var loading;
    if (args.inline) {
      var bytes = atob(args.inline.dates), out = new Uint8Array(bytes.length);
      for (var k = 0; k < bytes.length; k++) { out[k] = bytes.charCodeAt(k); }
      loading = Promise.resolve(out.buffer);
    } else {
      loading = window.mapappIncidents.fetchBuffer(args.dates);
    }
    return loading.then(function (buffer) {
      state.dates = {start: new Int32Array(buffer, 0, n), end: new Int32Array(buffer, 4 * n, n)};
      state.datesKey = key;
      return state.dates;
    });
  }

  // Window starts covering the shown incidents' dates: [[first day, last day], ...].
  function framesFor(unit) {
    var data = window.mapappIncidents.current(), d = state.dates;
    var lo = Infinity, hi = -Infinity;
    for (var i = 0; i < data.base.n; i++) {
      if (!bit(data.mask, i) || d.start[i] === NO_DAY) { continue; }
      if (d.start[i] < lo) { lo = d.start[i]; }
      if (d.end[i] > hi) { hi = d.end[i]; }
    }
    var frames = [];
    if (lo > hi) { return frames; }
    if (unit === "day") {
      for (var day = lo; day <= hi; day++) { frames.push([day, day]); }
    } else if (unit === "week") {
      var monday = lo - ((new Date(lo * 86400000).getUTCDay() + 6) % 7);
      for (var w = monday; w <= hi; w += 7) { frames.push([w, w + 6]); }
    } else {
      var first = new Date(lo * 86400000), y = first.getUTCFullYear(), m = first.getUTCMonth();
      while (true) {
        var a = Date.UTC(y, m, 1) / 86400000, b = Date.UTC(y, m + 1, 1) / 86400000 - 1;
        if (a > hi) { break; }
        frames.push([a, b]);
        m += 1;
        if (m === 12) { m = 0; y += 1; }
      }
    }
    return frames;
  }

  // The window (as a number) that holds a whole date range, or -1 when none does.
  function windowOf(s, e, unit) {
    if (unit === "day") { return s === e ? s : -1; }
    if (unit === "week") {  // 1970-01-01 was a Thursday: weeks from Monday are (day + 3) / 7
      var w = Math.floor((s + 3) / 7);
      return w === Math.floor((e + 3) / 7) ? w : -1;
    }
    var a = new Date(s * 86400000), b = new Date(e * 86400000);
    var m = a.getUTCFullYear() * 12 + a.getUTCMonth();
    return m === b.getUTCFullYear() * 12 + b.getUTCMonth() ? m : -1;
  }

  // Per shown incident, once per data and unit: the window holding it, or -1; and the counts
  // of the incidents in no window.
  function place(unit) {
    var data = window.mapappIncidents.current(), d = state.dates, n = data.base.n;
    var slot = new Float64Array(n), vague = 0, undated = 0;
    for (var i = 0; i < n; i++) {
      slot[i] = -1;
      if (!bit(data.mask, i)) { continue; }
      if (d.start[i] === NO_DAY) { undated++; continue; }
      slot[i] = windowOf(d.start[i], d.end[i], unit);
      if (slot[i] === -1) { vague++; }
    }
    state.placed = {slot: slot, vague: vague, undated: undated};
  }

  // The bit mask of a frame and the earlier incidents (for fading).
  function frameMask(index) {
    var n = state.placed.slot.length, slot = state.placed.slot;
    var bits = new Uint8Array((n + 7) >> 3), earlier = [], fade = state.earlier === "faded";
    var w = state.frames[index], here = windowOf(w[0], w[1], state.unit), shown = 0;
    for (var i = 0; i < n; i++) {
      var k = slot[i];
      if (k === here) { bits[i >> 3] |= 1 << (i & 7); shown++; }
      else if (fade && k !== -1 && k < here) { earlier.push(i); }
    }
    return {bits: bits, shown: shown, vague: state.placed.vague, undated: state.placed.undated, earlier: earlier};
  }

  function show(index) {
    if (!state.frames.length) { return; }
    state.frame = Math.max(0, Math.min(index, state.frames.length - 1));
    var t0 = performance.now();
    var got = frameMask(state.frame);
    window.mapappIncidents.restrict(got.bits);
    drawFaded(got.earlier);
    state.last = {frame: state.frame, window: state.frames[state.frame].map(dayText), shown: got.shown,
                  vague: got.vague, undated: got.undated, ms: performance.now() - t0};
    label();
  }

  // Earlier incidents as small faint dots under the layer (the user's choice "faded").
  var FadeLayer = L.Layer.extend({
    onAdd: function (map) {
      if (!map.getPane("playback-fade")) { map.createPane("playback-fade").style.zIndex = 445; }
      this._canvas = this._canvas || L.DomUtil.create("canvas", "playback-fade");
      map.getPane("playback-fade").appendChild(this._canvas);
      map.on("moveend zoomend resize viewreset", this._draw, this);
    },
    onRemove: function (map) {
      L.DomUtil.remove(this._canvas);
      map.off("moveend zoomend resize viewreset", this._draw, this);
    },
    _draw: function () { drawFaded(this._positions || []); }
  });

  function drawFaded(positions) {
    var layer = state.fade;
    if (!layer) { return; }
    layer._positions = positions;
    if (!layer._map) { return; }
    var map = layer._map, size = map.getSize(), ratio = window.devicePixelRatio || 1, canvas = layer._canvas;
    L.DomUtil.setPosition(canvas, map.containerPointToLayerPoint([0, 0]));
    canvas.width = size.x * ratio; canvas.height = size.y * ratio;
    canvas.style.width = size.x + "px"; canvas.style.height = size.y + "px";
    var ctx = canvas.getContext("2d"), b = window.mapappIncidents.current().base;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, size.x, size.y);
    var scale = Math.pow(2, map.getZoom()), origin = map.getPixelBounds().min;
    ctx.fillStyle = "rgba(60, 60, 60, 0.28)";
    positions.forEach(function (i) {
      var x = b.wx[i] * scale - origin.x, y = b.wy[i] * scale - origin.y;
      if (x < -4 || y < -4 || x > size.x + 4 || y > size.y + 4) { return; }
      ctx.beginPath(); ctx.arc(x, y, 3.5, 0, 2 * Math.PI); ctx.fill();
    });
  }

  function label() {
    var ui = state.ui, last = state.last;
    if (!ui || !last) { return; }
    ui.slider.max = String(Math.max(0, state.frames.length - 1));
    ui.slider.value = String(state.frame);
    var w = last.window;
    ui.when.textContent = (w[0] === w[1] ? w[0] : w[0] + " – " + w[1]) + " · " + last.shown + " incident(s)";
    ui.left.textContent = last.vague || last.undated ?
      "In no single " + state.unit + ": " + last.vague + " dated more vaguely or across two; " +
      last.undated + " undated." : "";
    ui.play.textContent = state.playing ? "❚❚" : "▶";
    ui.play.title = state.playing ? "Pause" : "Play";
  }

  function tick() {
    if (state.frame >= state.frames.length - 1) { pause(); return; }
    show(state.frame + 1);
  }

  function play() {
    if (!state.frames.length) { return; }
    if (state.frame >= state.frames.length - 1) { show(0); }
    state.playing = true;
    clearInterval(state.timer);
    state.timer = setInterval(tick, 1000 / state.speed);
    label();
  }

  function pause() {
    state.playing = false;
    clearInterval(state.timer);
    state.timer = null;
    label();
    keepInUrl();
  }

  // The paused frame goes into the page's address (?play=unit:first-day), so a copied link
  // reopens it. The map is in an iframe of the app's own origin; elsewhere this does nothing.
  // Streamlit writes the address after each run from the query string the run began with: a
  // run begun before the frame was written drops it, so while a frame is paused it is written
  // again whenever it is missing.
  var urlGuard = null;

  function keepInUrl() {
    writeUrl();
    if (!urlGuard) {
      urlGuard = setInterval(function () { if (state.on && !state.playing) { writeUrl(); } }, 250);
    }
  }

  function writeUrl() {
    try {
      var page = window.parent && window.parent !== window ? window.parent : window;
      var url = new URL(page.location.href);
      var before = url.searchParams.get("play");
      if (state.on && state.frames.length) {
        url.searchParams.set("play", state.unit + ":" + dayText(state.frames[state.frame][0]));
      } else {
        url.searchParams.delete("play");
      }
      if (url.searchParams.get("play") !== before) {
        page.history.replaceState(page.history.state, "", url.toString());
      }
    } catch (err) { /* another origin: the frame is not kept */ }
  }

  function fromUrl() {
    try {
      var page = window.parent && window.parent !== window ? window.parent : window;
      var value = new URL(page.location.href).searchParams.get("play");
      var m = value && /^(day|week|month):(\d{4}-\d{2}-\d{2})$/.exec(value);
      return m ? {unit: m[1], day: Date.parse(m[2]) / 86400000} : null;
    } catch (err) { return null; }
  }

  // The frames of a unit, at the window holding `day` (else the first; "same": the window shown
  // now). Starts run one after the other: a later one never finds an earlier one half done.
  function start(unit, day) {
    state.queue = (state.queue || Promise.resolve()).then(function () {
      return loadDates().then(function () {
        if (day === "same") { day = state.frames.length ? state.frames[state.frame][0] : undefined; }
        var data = window.mapappIncidents.current();
        state.dataKey = data.args.base + "|" + data.args.mask;
        state.unit = unit || state.unit;
        state.frames = framesFor(state.unit);
        place(state.unit);
        var index = 0;
        if (day !== undefined) {
          state.frames.forEach(function (w, k) { if (w[0] <= day && day <= w[1]) { index = k; } });
        }
        show(index);
      });
    });
    return state.queue;
  }

  function setOn(on) {
    state.on = on;
    state.ui.bar.hidden = !on;
    if (on) {
      if (state.earlier === "faded") { state.fade.addTo(state.map); }
      start();
    } else {
      pause();
      state.fade.remove();
      window.mapappIncidents.restrict(null);
      keepInUrl();
    }
  }

  function element(tag, parent, className, text) {
    var el = L.DomUtil.create(tag, className || "", parent);
    if (text !== undefined) { el.textContent = text; }
    return el;
  }

  function select(parent, options, value, title) {
    var el = element("select", parent);
    el.title = title;
    options.forEach(function (o) {
      var opt = element("option", el, "", o[1]);
      opt.value = String(o[0]);
      if (String(o[0]) === String(value)) { opt.selected = true; }
    });
    return el;
  }

  window.mapappPlayback = {
    // The panel of map tools (tools.js) calls this with the map and the element to fill.
    attach: function (map, box) {
      state.map = map;
      state.fade = new FadeLayer();
      var bar = element("div", box, "playback-bar");
      bar.hidden = true;
      var ui = {bar: bar};
      ui.back = element("button", bar, "playback-step", "◀◀");
      ui.back.title = "Step back";
      ui.play = element("button", bar, "playback-play", "▶");
      ui.next = element("button", bar, "playback-step", "▶▶");
      ui.next.title = "Step forward";
      ui.slider = element("input", bar, "playback-slider");
      ui.slider.type = "range"; ui.slider.min = "0"; ui.slider.step = "1";
      ui.slider.title = "Drag to a window";
      var row = element("div", bar, "playback-row");
      ui.unit = select(row, [["day", "Day"], ["week", "Week"], ["month", "Month"]], state.unit, "Window");
      ui.speed = select(row, SPEEDS.map(function (s) { return [s, s + " / s"]; }), state.speed, "Windows per second");
      ui.earlier = select(row, [["hidden", "Earlier hidden"], ["faded", "Earlier faded"]], state.earlier,
                          "What happens to incidents of earlier windows");
      ui.when = element("div", bar, "playback-when");
      ui.left = element("div", bar, "playback-left");
      state.ui = ui;
      L.DomEvent.disableClickPropagation(bar);
      L.DomEvent.disableScrollPropagation(bar);
      ui.play.addEventListener("click", function () { if (state.playing) { pause(); } else { play(); } });
      ui.back.addEventListener("click", function () { pause(); show(state.frame - 1); keepInUrl(); });
      ui.next.addEventListener("click", function () { pause(); show(state.frame + 1); keepInUrl(); });
      ui.slider.addEventListener("input", function () { show(Number(ui.slider.value)); });
      ui.slider.addEventListener("change", function () { if (!state.playing) { keepInUrl(); } });
      ui.unit.addEventListener("change", function () { pause(); start(ui.unit.value); });
      ui.speed.addEventListener("change", function () {
        state.speed = Number(ui.speed.value);
        if (state.playing) { play(); }
      });
      ui.earlier.addEventListener("change", function () {
        state.earlier = ui.earlier.value;
        if (state.earlier === "faded") { state.fade.addTo(map); } else { state.fade.remove(); }
        show(state.frame);
      });
      // New data (the filters changed): the frames follow, at the same window if it still exists.
      window.mapappIncidents.onData(function (kind) {
        if (kind !== "data" || !state.on) { return; }
        var data = window.mapappIncidents.current();
        if (data.args.base + "|" + data.args.mask === state.dataKey) { return; }  // a rerun, same data
        start(state.unit, "same");
      });
      return {
        setOn: setOn,
        restore: function () {
          var saved = fromUrl();
          if (!saved) { return false; }
          state.unit = saved.unit;
          ui.unit.value = saved.unit;
          state.on = true;
          bar.hidden = false;
          var go = function () { start(saved.unit, saved.day); };
          if (window.mapappIncidents.current()) { go(); } else {
            var once = function (kind) {
              if (kind === "data" && !state.started) { state.started = true; go(); }
            };
            window.mapappIncidents.onData(once);
          }
          return true;
        }
      };
    },
    // For tests and benchmarks.
    state: function () {
      return {on: state.on, playing: state.playing, frame: state.frame, frames: state.frames.length,
              unit: state.unit, last: state.last};
    },
    play: play, pause: pause, show: show, start: start,
    // Benchmark: the time of one frame (mask + redraw), in ms.
    time: function (index) { var t0 = performance.now(); show(index); return performance.now() - t0; }
  };
})();
