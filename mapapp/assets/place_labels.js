// Place names of the offline base map (map_build._PlaceLabels, data from place_labels.py):
// at each zoom, the names whose minimum zoom is reached, most important first, each left out
// when it would overlap a name already drawn. Names are text (textContent), never HTML.
window.mapappPlaceLabels = function (map, labels) {
    // Above the outlines, below the incidents (overlay pane 400, markers 600).
    var pane = map.createPane("placeLabels");
    pane.style.zIndex = 390;
    pane.style.pointerEvents = "none";
    var layer = L.layerGroup().addTo(map);
    var MAX_DRAWN = 400;
    var FONT = {seat: 13, town: 12, crossing: 12, place: 11, water: 11};

    function overlaps(box, boxes) {
        for (var i = 0; i < boxes.length; i++) {
            var b = boxes[i];
            if (box[0] < b[2] && box[2] > b[0] && box[1] < b[3] && box[3] > b[1]) { return true; }
        }
        return false;
    }
    var measure = document.createElement("canvas").getContext("2d");
    function textWidth(text, size, weight) {
        measure.font = weight + " " + size + "px Arial, sans-serif";
        return measure.measureText(text).width + 2;
    }
    // Where a name may go around its point, in order of preference: right, left, above, below.
    // Each is [box left, box top] relative to the point, for a name w wide and h high.
    var PLACES = [
        function (w, h) { return [6, -h / 2]; },
        function (w, h) { return [-6 - w, -h / 2]; },
        function (w, h) { return [-w / 2, -h - 4]; },
        function (w, h) { return [-w / 2, 4]; }
    ];
    function draw() {
        layer.clearLayers();
        var zoom = map.getZoom();
        var view = map.getBounds().pad(0.05);
        var boxes = [];  // the names drawn so far
        var dots = [];  // and their points
        var drawn = 0;
        // Most important first: a name is drawn when its point is free and one of its places
        // around the point is clear of the names and points drawn before it.
        for (var i = 0; i < labels.length && drawn < MAX_DRAWN; i++) {
            var l = labels[i];  // [name, lat, lon, importance, min zoom, kind]
            if (zoom < l[4] || !view.contains([l[1], l[2]])) { continue; }
            var p = map.latLngToContainerPoint([l[1], l[2]]);
            var dot = [p.x - 3, p.y - 3, p.x + 3, p.y + 3];
            if (overlaps(dot, boxes)) { continue; }
            var size = FONT[l[5]] || 11;
            var width = textWidth(l[0], size, l[5] === "seat" ? 700 : 600);
            var height = size + 2;
            var box = null, offset = null;
            for (var k = 0; k < PLACES.length && box === null; k++) {
                var o = PLACES[k](width, height);
                var candidate = [p.x + o[0], p.y + o[1], p.x + o[0] + width, p.y + o[1] + height];
                if (!overlaps(candidate, boxes) && !overlaps(candidate, dots)) { box = candidate; offset = o; }
            }
            if (box === null) { continue; }
            dots.push(dot);
            drawn += 1;
            boxes.push(box);
            var el = document.createElement("div");
            el.textContent = l[0];
            el.setAttribute("data-place-label", l[0]);
            if (l[5] !== "water") {
                L.circleMarker([l[1], l[2]], {
                    pane: "placeLabels", radius: l[5] === "crossing" ? 3.5 : 2.5, interactive: false,
                    color: l[5] === "crossing" ? "#8b2c22" : "#444", weight: 1,
                    fillColor: l[5] === "crossing" ? "#fff" : "#444", fillOpacity: 1
                }).addTo(layer);
            }
            L.marker([l[1], l[2]], {
                pane: "placeLabels", interactive: false, keyboard: false,
                icon: L.divIcon({html: el, className: "place-label place-" + l[5], iconSize: [width, height],
                                 iconAnchor: [-offset[0], -offset[1]]})
            }).addTo(layer);
        }
    }
    map.on("zoomend moveend resize", draw);
    draw();
};

// A word when the online tiles are ticked but do not load (no internet, a blocked server):
// otherwise the map would only turn grey.
window.mapappTileNotice = function (map) {
    var notice = L.control({position: "bottomright"});
    notice.onAdd = function () {
        var div = L.DomUtil.create("div", "tile-notice");
        div.textContent = "The online map tiles cannot be loaded (no internet connection?). " +
            "Untick them in the layer box to see the offline map.";
        return div;
    };
    var shown = false;
    map.on("layeradd", function (e) {
        if (!(e.layer instanceof L.TileLayer)) { return; }
        e.layer.on("tileerror", function () {
            if (!shown) { notice.addTo(map); shown = true; }
        });
        e.layer.on("tileload", function () {
            if (shown) { notice.remove(); shown = false; }
        });
    });
    map.on("layerremove", function (e) {
        if (e.layer instanceof L.TileLayer && shown) { notice.remove(); shown = false; }
    });
};
