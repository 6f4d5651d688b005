// The passage selector: Streamlit's component messages by hand (no build step, no library).
// The document excerpt comes as text and is set with textContent only (it is untrusted); the
// selection's offsets are counted in code points, as Python counts them, and sent back as the
// component's value {start, end} in the whole document.
(function () {
  "use strict";
  const doc = document.getElementById("doc");
  const status = document.getElementById("status");
  let args = null;

  function send(type, extra) {
    window.parent.postMessage(Object.assign({ isStreamlitMessage: true, type: type }, extra), "*");
  }

  function codePoints(text) {
    return Array.from(text).length;
  }

  // Code-point offset within the excerpt of a point (node, offset) inside #doc: the length of
  // the text from the start of #doc to it. The cut marks ("[…]") are not part of the text.
  function offsetOf(node, offset) {
    const range = document.createRange();
    range.setStart(doc, 0);
    range.setEnd(node, offset);
    const fragment = range.cloneContents();
    fragment.querySelectorAll(".cut").forEach(function (cut) { cut.remove(); });
    return codePoints(fragment.textContent);
  }

  function render(span, chosen) {
    // Text before, the span (marked), text after, each as a text node.
    const text = Array.from(args.text);
    const start = Math.max(0, Math.min(text.length, span[0] - args.offset));
    const end = Math.max(start, Math.min(text.length, span[1] - args.offset));
    doc.replaceChildren();
    if (args.cut_before) {
      const cut = document.createElement("span");
      cut.className = "cut";
      cut.textContent = "[…]\n";
      doc.append(cut);
    }
    const mark = document.createElement("mark");
    mark.textContent = text.slice(start, end).join("");
    if (chosen) mark.className = "chosen";
    doc.append(text.slice(0, start).join(""), mark, text.slice(end).join(""));
    if (args.cut_after) {
      const cut = document.createElement("span");
      cut.className = "cut";
      cut.textContent = "\n[…]";
      doc.append(cut);
    }
    return mark;
  }

  function choose() {
    const selection = window.getSelection();
    if (!selection || selection.isCollapsed || selection.rangeCount === 0) return;
    const range = selection.getRangeAt(0);
    if (!doc.contains(range.startContainer) || !doc.contains(range.endContainer)) return;
    let start = offsetOf(range.startContainer, range.startOffset);
    let end = offsetOf(range.endContainer, range.endOffset);
    if (start === end) return;
    start += args.offset;
    end += args.offset;
    selection.removeAllRanges();
    render([start, end], true);
    status.textContent = "New passage: characters " + start + "–" + end + ". Give a reason and save below.";
    send("streamlit:setComponentValue", { value: { start: start, end: end }, dataType: "json" });
  }

  doc.addEventListener("mouseup", choose);
  doc.addEventListener("keyup", function (event) { if (event.shiftKey) choose(); });

  window.addEventListener("message", function (event) {
    if (!event.data || event.data.type !== "streamlit:render") return;
    args = event.data.args;
    const mark = render([args.start, args.end], args.chosen);
    status.textContent = args.chosen
      ? "New passage: characters " + args.start + "–" + args.end + ". Give a reason and save below."
      : "Select other text with the mouse to make it the passage.";
    doc.scrollTop = Math.max(0, mark.offsetTop - doc.offsetTop - 60);
    sendHeight();
  });

  // The frame's height follows the content; inside a closed expander the frame is not laid out
  // (height 0), so the height is sent again when it is shown.
  let sentHeight = 0;
  function sendHeight() {
    const height = document.body.scrollHeight;
    if (height > 0 && height !== sentHeight) {
      sentHeight = height;
      send("streamlit:setFrameHeight", { height: height + 4 });
    }
  }
  new ResizeObserver(sendHeight).observe(document.body);

  send("streamlit:componentReady", { apiVersion: 1 });
})();
