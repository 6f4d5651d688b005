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
    function draw() {
        layer.clearLayers();
        var zoom = map.getZoom();
        var view = map.getBounds().pad(0.05);
        var boxes = [];
        for (var i = 0; i < labels.length && boxes.length < MAX_DRAWN; i++) {
            var l = labels[i];  // [name, lat, lon, importance, min zoom, kind]
            if (zoom < l[4] || !view.contains([l[1], l[2]])) { continue; }
            var p = map.latLngToContainerPoint([l[1], l[2]]);
            var size = FONT[l[5]] || 11;
            var width = l[0].length * size * 0.56 + 4;
            // The dot at the point, the name to its right.
            var box = [p.x - 4, p.y - size * 0.75, p.x + 7 + width, p.y + size * 0.75];
            if (overlaps(box, boxes)) { continue; }
            boxes.push(box);
            var el = document.createElement("div");
            el.textContent = l[0];
            el.setAttribute("data-place-label", l[0]);
            if (l[5] !== "water") {
                L.circleMarker([l[1], l[2]], {
                    pane: "placeLabels", radius: l[5] === "crossing" ? 3.5 : 2.5, interactive: false,
                    color: l[5] === "crossing" ? "#b03a2e" : "#444", weight: 1,
                    fillColor: l[5] === "crossing" ? "#fff" : "#444", fillOpacity: 1
                }).addTo(layer);
            }
            L.marker([l[1], l[2]], {
                pane: "placeLabels", interactive: false, keyboard: false,
                icon: L.divIcon({html: el, className: "place-label place-" + l[5], iconSize: null,
                                 iconAnchor: [-5, size * 0.7]})
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
