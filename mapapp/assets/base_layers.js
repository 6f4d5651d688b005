// The offline base map: outlines, the boundary, country names and the legend (map_build.py);
// place names are place_labels.js.
// Called once by the base map's script with the data map_build._base_data() makes; no text
// in that data is ever read as HTML except the legend's constant SVG swatches.
// The smallest map (width, height in pixels) whose legend starts open.
var LEGEND_OPEN_FROM = [760, 720];

window.mapappBaseLayers = function (map, base) {
    map.attributionControl.addAttribution(base.attribution);
    // The frame is sized to the window by the page's style, which may arrive after the map
    // was made: Leaflet must learn the container's new size, or it draws into the old one.
    if (window.ResizeObserver) {
        new ResizeObserver(function () { map.invalidateSize({animate: false}); }).observe(map.getContainer());
    }
    // Outlines sit below the tile pane (200): ticking the online layer shows its tiles.
    map.createPane("outlines").style.zIndex = 150;
    L.geoJSON(base.outlines, {
        interactive: false, pane: "outlines",
        style: function (f) {
            return {color: "#8d877b", weight: 1, fillColor: f.properties.fill, fillOpacity: 1};
        }
    }).addTo(map);
    L.polyline(base.boundary, {
        color: "#b03a2e", weight: 3, dashArray: "8 5", interactive: false
    }).addTo(map);
    function label(latlng, text, className) {
        var el = document.createElement("div");
        el.textContent = text;
        return L.marker(latlng, {
            interactive: false, keyboard: false,
            icon: L.divIcon({html: el, className: className, iconSize: null, iconAnchor: [-5, 8]})
        });
    }
    base.countries.forEach(function (c) { label([c[1], c[2]], c[0], "country-label").addTo(map); });
    var legend = L.control({position: "topright"});
    legend.onAdd = function () {
        var div = L.DomUtil.create("div", "map-legend");
        L.DomEvent.disableClickPropagation(div);
        L.DomEvent.disableScrollPropagation(div);
        // A click on the title folds the legend away (it covers part of a small map).
        var title = L.DomUtil.create("button", "legend-toggle", div);
        title.type = "button";
        title.textContent = "Legend";
        var body = L.DomUtil.create("div", "legend-body", div);
        function fold(folded) {
            div.classList.toggle("folded", folded);
            title.setAttribute("aria-expanded", folded ? "false" : "true");
        }
        // Folded on a small map (a laptop screen), where it would cover a quarter of it; open
        // where it takes little of the map. Once the user folds or opens it, it stays so.
        var chosen = false;
        title.addEventListener("click", function () { chosen = true; fold(!div.classList.contains("folded")); });
        function fit() {
            var size = map.getSize();
            if (!chosen) { fold(size.x < LEGEND_OPEN_FROM[0] || size.y < LEGEND_OPEN_FROM[1]); }
        }
        fit();
        map.on("resize", fit);
        function row(svg, text) {
            var r = L.DomUtil.create("div", "row", body);
            r.innerHTML = svg;  // constant markup written in map_build.py, no data
            var span = document.createElement("span");
            span.textContent = text;
            r.appendChild(span);
        }
        L.DomUtil.create("h4", "", body).textContent = "Event type";
        base.legend.types.forEach(function (t) { row(base.legend.swatch.replace(/COLOUR/g, t[1]), t[0]); });
        L.DomUtil.create("h4", "", body).textContent = "Precision";
        base.legend.shapes.forEach(function (s) { row(s[1], s[0]); });
        return div;
    };
    legend.addTo(map);
};
