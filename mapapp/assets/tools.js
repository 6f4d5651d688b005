/* The map's tools (map_tools.py): a box with "Play through time" and "Density (hexagons)",
 * holding the playback bar (playback.js) and the density legend (density.js). */
(function () {
  "use strict";

  window.mapappTools = {
    attach: function (map) {
      var Tools = L.Control.extend({
        options: {position: "topleft"},
        onAdd: function () {
          var box = L.DomUtil.create("div", "map-tools");
          L.DomEvent.disableClickPropagation(box);
          L.DomEvent.disableScrollPropagation(box);
          function toggle(label, name) {
            var row = L.DomUtil.create("label", "map-tools-toggle", box);
            var input = L.DomUtil.create("input", "", row);
            input.type = "checkbox";
            input.name = name;
            row.appendChild(document.createTextNode(" " + label));
            return input;
          }
          var play = toggle("Play through time", "playback");
          var density = toggle("Density (hexagons)", "density");
          var playbackBox = L.DomUtil.create("div", "map-tools-playback", box);
          var legend = L.DomUtil.create("div", "density-legend", box);
          legend.hidden = true;
          var playback = window.mapappPlayback.attach(map, playbackBox);
          window.mapappDensity.attach(map, legend);
          play.addEventListener("change", function () { playback.setOn(play.checked); });
          density.addEventListener("change", function () { window.mapappDensity.show(map, density.checked); });
          if (playback.restore()) { play.checked = true; }
          return box;
        }
      });
      new Tools().addTo(map);
    }
  };
})();
