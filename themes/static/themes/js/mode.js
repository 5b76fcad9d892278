// Loaded in <head> before the page paints: restore the 适老化/无障碍 mode chosen on an earlier page.
(function () {
  try {
    if (window.localStorage.getItem("cms-elder-mode") === "on") {
      document.documentElement.classList.add("elder-mode");
    }
  } catch (e) {
    // Storage blocked (private mode): the page simply starts in the normal mode.
  }
})();
