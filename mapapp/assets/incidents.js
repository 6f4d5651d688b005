// Draws the incident layer (map_build.py). mapappIncidentRenderer(config) runs once in the
// base map and defines mapappDrawIncidents(group, data), which each rerun's layer calls with
// its incidents as JSON columns. Text from the data only ever goes in with textContent.
window.mapappIncidentRenderer = function (config) {
    var clicks = 0;
    function tooltip(data, i) {
        return function () {
            var div = document.createElement("div");
            div.className = "incident-tip";
            var tip = data.tip[i];
            var lines = [
                [config.types[data.t[i]] + " / " + config.sub_types[data.s[i]], "b"],
                [tip[0], "span"],
                [tip[1] + " · " + config.precisions[data.p[i]], "span"],
                [tip[2], "div"],
                [data.id[i], "div"]
            ];
            lines.forEach(function (line, n) {
                var el = document.createElement(line[1]);
                el.textContent = line[0];
                if (n === 4) { el.className = "muted"; }
                div.appendChild(el);
                if (line[1] === "span") { div.appendChild(document.createElement("br")); }
            });
            return div;
        };
    }
    function clusterIcon(cluster) {
        var span = document.createElement("span");
        span.textContent = String(cluster.getChildCount());
        return L.divIcon({html: span, className: "incident-cluster", iconSize: L.point(34, 34)});
    }
    // The ring around the open incident, in the layer drawn last. A click rings its
    // marker here at once; Python then leaves the layer as it is, so the map is not
    // redrawn (and a spiderfied cluster stays open) on every click.
    var ring = null;
    var ringGroup = null;
    function showRing(latlng) {
        if (ring && ringGroup) { ringGroup.removeLayer(ring); }
        ring = null;
        if (!latlng || !ringGroup) { return; }
        ring = L.circleMarker(latlng, {
            radius: 14, color: "#111", weight: 3, fill: false, interactive: false,
            className: "incident-selected"
        });
        ringGroup.addLayer(ring);
    }
    function onClick(e) {
        // A new value on every click, so that clicking the same incident again still
        // reaches Python (streamlit-folium only reports values that changed).
        clicks += 1;
        e.target.feature.properties.click = clicks;
        showRing(e.target.getLatLng());
    }
    function tagPath() {
        if (this._path) { this._path.setAttribute("data-incident-id", this.feature.properties.id); }
    }
    window.mapappDrawIncidents = function (group, data) {
        // One dashed area per distinct (point, radius): a hundred incidents coded to
        // "northern Kosovo" share one area instead of stacking a hundred translucent ones.
        var areas = L.layerGroup(data.areas.map(function (a) {
            return L.circle([a[0], a[1]], {
                radius: a[2], interactive: false, color: "#4a4a4a", weight: 1.2, opacity: 0.7,
                dashArray: "5 4", fillColor: "#4a4a4a", fillOpacity: 0.06, className: "incident-area"
            });
        }));
        var cluster = L.markerClusterGroup({
            maxClusterRadius: 30, showCoverageOnHover: false, spiderfyOnMaxZoom: true,
            chunkedLoading: true, iconCreateFunction: clusterIcon
        });
        var markers = new Array(data.id.length);
        for (var i = 0; i < data.id.length; i++) {
            var latlng = [data.lat[i], data.lon[i]];
            var colour = config.colours[data.t[i]];
            var precision = data.p[i];
            var undated = data.u[i] === 1;
            var hollow = precision >= 3;
            var m = L.circleMarker(latlng, {
                radius: 7,
                className: "incident-marker",
                color: hollow ? colour : (undated ? "#222" : "#fff"),
                weight: hollow ? 3 : (undated ? 2 : 1.5),
                dashArray: undated ? (hollow ? "4 3" : "3 2") : null,
                fillColor: hollow ? "#fff" : colour,
                fillOpacity: hollow ? 0.85 : (undated ? 0.55 : 0.9)
            });
            m.feature = {type: "Feature", properties: {id: data.id[i]}};
            m.bindTooltip(tooltip(data, i), {sticky: true, direction: "auto", opacity: 0.95});
            m.on("click", onClick);
            m.on("add", tagPath);
            markers[i] = m;
        }
        group.addLayer(areas);
        group.addLayer(cluster);
        // Markers go in once the cluster group is on the map: off the map, markercluster
        // checks each new marker against every one added before it (its hasLayer scans a
        // list), which took 13 s for 100,000; on the map it clusters them in chunks.
        if (cluster._map) {
            cluster.addLayers(markers);
        } else {
            cluster.once("add", function () { cluster.addLayers(markers); });
        }
        ring = null;
        ringGroup = group;
        showRing(data.sel ? [data.sel.lat, data.sel.lon] : null);
        return group;
    };
};
