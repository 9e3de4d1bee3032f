// rota swap sheets: a safety net for one page per sheet. A week with unusually
// long labels, holiday names or notes is shrunk (CSS zoom) just enough to fit
// its printed page instead of spilling onto a second one. The screen layout
// has the same width as the printed page's content, so the height measured
// here is the printed height. Nothing happens for sheets that already fit.
(function () {
  function fit() {
    var mm = 96 / 25.4;
    var pages = document.querySelectorAll(".page[data-fit-mm]");
    for (var i = 0; i < pages.length; i++) {
      var page = pages[i];
      var limit = parseFloat(page.getAttribute("data-fit-mm")) * mm;
      var style = page.style;
      style.zoom = "";
      style.minHeight = "0";
      style.height = "auto";
      var padding = parseFloat(getComputedStyle(page).paddingTop) +
        parseFloat(getComputedStyle(page).paddingBottom);
      var needed = page.getBoundingClientRect().height - padding;
      style.minHeight = "";
      style.height = "";
      if (needed > limit) {
        style.zoom = (Math.floor((limit / needed) * 1000) / 1000).toString();
      }
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", fit);
  } else {
    fit();
  }
})();
