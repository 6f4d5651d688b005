// Scrolls the passage document so that the highlighted passage is in view, and the page so
// that the panel is (an incident chosen in the table below, with the panel scrolled away).
// Constant code: no data from the store is ever put into it.
(function () {
  var tries = 0;
  function scroll() {
    var doc = document.getElementById("passage-doc");
    var mark = document.getElementById("passage-selected");
    if (!doc || !mark) { if (tries++ < 40) { setTimeout(scroll, 50); } return; }
    // .passage-doc is position: relative, so offsetTop is measured from its top.
    doc.scrollTop = Math.max(0, mark.offsetTop - doc.clientHeight / 3);
    // Only when its beginning is out of sight: a panel beside the map stays where it is.
    var rect = doc.getBoundingClientRect();
    if (rect.top < 0 || rect.top > window.innerHeight - 120) {
      doc.scrollIntoView({block: "center", behavior: "smooth"});
    }
  }
  scroll();
})();
