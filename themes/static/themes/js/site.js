// 适老化/无障碍 toggle (remembered across pages) and the notice before leaving for another site.
(function () {
  "use strict";
  var KEY = "cms-elder-mode";
  var root = document.documentElement;

  function setMode(on) {
    root.classList.toggle("elder-mode", on);
    try {
      window.localStorage.setItem(KEY, on ? "on" : "off");
    } catch (e) {
      // Storage blocked: the mode lasts for this page only.
    }
    document.querySelectorAll("[data-mode-toggle]").forEach(function (button) {
      button.setAttribute("aria-pressed", on ? "true" : "false");
    });
  }

  document.querySelectorAll("[data-mode-toggle]").forEach(function (button) {
    button.setAttribute("aria-pressed", root.classList.contains("elder-mode") ? "true" : "false");
    button.addEventListener("click", function () {
      setMode(!root.classList.contains("elder-mode"));
    });
  });

  // 47号: a notice before leaving to an external site.
  var dialog = document.getElementById("leave-dialog");
  if (!dialog) {
    return;
  }
  var target = dialog.querySelector("[data-leave-url]");
  var go = dialog.querySelector("[data-leave-go]");
  var stay = dialog.querySelector("[data-leave-stay]");
  var pending = null;

  // Every host of the cluster (sites.Domain) is "this site" for the notice: links to the portal,
  // another department or the cross-site search results go straight there. The browser has parsed
  // the href (backslashes, user info, "//host"), so an exact match of its hostname is the check.
  var clusterHosts = {};
  (dialog.getAttribute("data-cluster-hosts") || "").split(/\s+/).forEach(function (host) {
    if (host) {
      clusterHosts[host.toLowerCase()] = true;
    }
  });
  clusterHosts[window.location.hostname.toLowerCase()] = true;

  function isExternal(link) {
    if (link.protocol !== "http:" && link.protocol !== "https:") {
      return false;
    }
    var host = link.hostname.toLowerCase().replace(/\.$/, "");
    return !Object.prototype.hasOwnProperty.call(clusterHosts, host);
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[href]") : null;
    if (!link || !isExternal(link) || event.defaultPrevented) {
      return;
    }
    event.preventDefault();
    pending = link;
    target.textContent = link.href;
    if (typeof dialog.showModal === "function") {
      dialog.showModal();
    } else if (window.confirm(dialog.querySelector("p").textContent + "\n" + link.href)) {
      window.location.href = link.href;
    }
  });
  go.addEventListener("click", function () {
    if (pending) {
      window.open(pending.href, "_blank", "noopener");
    }
    dialog.close();
  });
  stay.addEventListener("click", function () {
    dialog.close();
  });
})();
