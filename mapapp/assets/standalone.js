// The passage panel of a standalone map file (standalone.py). The incident layer
// (incidents.js) fires "click" with the clicked incident as a GeoJSON feature (what
// streamlit-folium reads in the app); here that shows the incident's passage beside the map.
// Every value goes in with textContent: the text comes from uploaded files.
(function () {
    var reports = JSON.parse(document.getElementById("mapapp-reports").textContent);
    var fields = ["date", "place", "type", "source", "description", "passage", "note", "document"];
    function show(id) {
        var report = reports[id];
        if (!report) { return; }
        fields.forEach(function (name, i) {
            document.getElementById("r-" + name).textContent = report[i];
        });
        document.getElementById("r-id").textContent = id;
        document.getElementById("mapapp-report").hidden = false;
        document.getElementById("mapapp-hint").hidden = true;
    }
    function onClick(event) {
        var feature = event.layer && event.layer.toGeoJSON ? event.layer.toGeoJSON() : null;
        if (feature && feature.properties && feature.properties.id) { show(String(feature.properties.id)); }
    }
    function listen(layer) {
        if (!layer._mapappPassage) { layer._mapappPassage = true; layer.on("click", onClick); }
    }
    // folium writes the map's script after </body>: it has run once the document is parsed.
    document.addEventListener("DOMContentLoaded", function () {
        Object.keys(window).forEach(function (name) {
            var map = window[name];
            if (map instanceof L.Map) {
                map.eachLayer(listen);
                map.on("layeradd", function (event) { listen(event.layer); });
            }
        });
    });
    var selected = document.getElementById("mapapp-panel").getAttribute("data-selected");
    if (selected) { show(selected); }
})();
