// Public page controls that need a script: the home page's focus carousel (焦点图) and the article
// tools (字号 大/中/小, 打印, 关闭). A file of its own, no inline handlers: the public
// Content-Security-Policy runs scripts from the site's files only. Without the script the carousel
// is a row of slides that scrolls and the tools stay hidden, so nothing on the page is dead.
(function () {
  "use strict";

  var reducedMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)");

  function prefersReducedMotion() {
    return Boolean(reducedMotion && reducedMotion.matches);
  }

  // --- 焦点图: previous/next, one dot per slide, pause button; pauses on hover and on focus -------
  var ROTATE_MS = 6000;

  function Carousel(root) {
    this.root = root;
    this.track = root.querySelector("[data-carousel-track]");
    this.slides = Array.prototype.slice.call(root.querySelectorAll("[data-carousel-slide]"));
    this.controls = root.querySelector("[data-carousel-controls]");
    this.status = root.querySelector("[data-carousel-status]");
    this.index = 0;
    this.timer = null;
    this.hovered = false;
    this.focused = false;
    this.stopped = prefersReducedMotion(); // no automatic movement for readers who asked for none
    if (this.slides.length < 2 || !this.track || !this.controls) {
      return;
    }
    this.build();
  }

  Carousel.prototype.build = function () {
    var self = this;
    this.root.classList.add("banner--enhanced");
    this.controls.hidden = false;
    this.prev = this.controls.querySelector("[data-carousel-prev]");
    this.next = this.controls.querySelector("[data-carousel-next]");
    this.pause = this.controls.querySelector("[data-carousel-pause]");
    this.dots = Array.prototype.slice.call(this.controls.querySelectorAll("[data-carousel-dot]"));
    this.prev.addEventListener("click", function () {
      self.show(self.index - 1, true);
    });
    this.next.addEventListener("click", function () {
      self.show(self.index + 1, true);
    });
    this.dots.forEach(function (dot, index) {
      dot.addEventListener("click", function () {
        self.show(index, true);
      });
    });
    this.pause.addEventListener("click", function () {
      self.stopped = !self.stopped;
      self.update();
    });
    // Arrow keys while anything in the carousel has the focus.
    this.root.addEventListener("keydown", function (event) {
      if (event.key === "ArrowLeft" || event.key === "ArrowRight") {
        event.preventDefault();
        self.show(self.index + (event.key === "ArrowLeft" ? -1 : 1), true);
        var current = self.dots[self.index];
        if (current && self.root.contains(document.activeElement) && document.activeElement.hasAttribute("data-carousel-dot")) {
          current.focus();
        }
      }
    });
    this.root.addEventListener("mouseenter", function () {
      self.hovered = true;
      self.update();
    });
    this.root.addEventListener("mouseleave", function () {
      self.hovered = false;
      self.update();
    });
    this.root.addEventListener("focusin", function () {
      self.focused = true;
      self.update();
    });
    this.root.addEventListener("focusout", function (event) {
      if (!self.root.contains(event.relatedTarget)) {
        self.focused = false;
        self.update();
      }
    });
    // A swipe on a phone scrolls the track: follow it.
    var settle = null;
    this.track.addEventListener("scroll", function () {
      window.clearTimeout(settle);
      settle = window.setTimeout(function () {
        var width = self.track.clientWidth || 1;
        var index = Math.round(self.track.scrollLeft / width);
        if (index !== self.index) {
          self.show(index, false, true);
        }
      }, 120);
    });
    window.addEventListener("resize", function () {
      self.show(self.index, false);
    });
    document.addEventListener("visibilitychange", function () {
      self.update();
    });
    if (reducedMotion && reducedMotion.addEventListener) {
      reducedMotion.addEventListener("change", function () {
        if (prefersReducedMotion()) {
          self.stopped = true;
        }
        self.update();
      });
    }
    this.show(0, false);
  };

  Carousel.prototype.show = function (index, byReader, fromScroll) {
    var count = this.slides.length;
    this.index = ((index % count) + count) % count;
    var self = this;
    this.slides.forEach(function (slide, i) {
      var current = i === self.index;
      // Slides out of view are out of the tab order and of the accessibility tree.
      slide.inert = !current;
      if (current) {
        slide.removeAttribute("aria-hidden");
      } else {
        slide.setAttribute("aria-hidden", "true");
      }
    });
    this.dots.forEach(function (dot, i) {
      if (i === self.index) {
        dot.setAttribute("aria-current", "true");
      } else {
        dot.removeAttribute("aria-current");
      }
    });
    if (!fromScroll) {
      var left = this.index * this.track.clientWidth;
      if (typeof this.track.scrollTo === "function") {
        this.track.scrollTo({ left: left, behavior: prefersReducedMotion() || !byReader ? "auto" : "smooth" });
      } else {
        this.track.scrollLeft = left;
      }
    }
    if (this.status) {
      // Announced only when the reader moved the carousel, never by the automatic rotation.
      this.status.setAttribute("aria-live", byReader ? "polite" : "off");
      this.status.textContent = "第 " + (this.index + 1) + " 张，共 " + count + " 张";
    }
    this.update();
  };

  Carousel.prototype.update = function () {
    var self = this;
    var running = !this.stopped && !this.hovered && !this.focused && !document.hidden;
    // A toggle with one name (WCAG 2.5.3: the name is the visible text); pressed = paused.
    this.pause.setAttribute("aria-pressed", this.stopped ? "true" : "false");
    window.clearTimeout(this.timer);
    this.timer = null;
    if (running) {
      this.timer = window.setTimeout(function () {
        self.show(self.index + 1, false);
      }, ROTATE_MS);
    }
    this.root.setAttribute("data-carousel-running", running ? "true" : "false");
  };

  document.querySelectorAll("[data-carousel]").forEach(function (root) {
    root.carousel = new Carousel(root);
  });

  // --- Article tools: 字号 大/中/小, 打印, 关闭 ---------------------------------------------------
  var SIZE_KEY = "cms-article-font-size";
  var SIZES = ["large", "medium", "small"];

  function storedSize() {
    try {
      var value = window.localStorage.getItem(SIZE_KEY);
      return SIZES.indexOf(value) >= 0 ? value : "medium";
    } catch (e) {
      return "medium";
    }
  }

  document.querySelectorAll("[data-article-tools]").forEach(function (tools) {
    var article = tools.closest("article") || document.body;
    var sizeButtons = Array.prototype.slice.call(tools.querySelectorAll("[data-font-size]"));

    function setSize(size, remember) {
      SIZES.forEach(function (name) {
        article.classList.toggle("article--text-" + name, name === size);
      });
      sizeButtons.forEach(function (button) {
        button.setAttribute("aria-pressed", button.getAttribute("data-font-size") === size ? "true" : "false");
      });
      if (remember) {
        try {
          window.localStorage.setItem(SIZE_KEY, size);
        } catch (e) {
          // Storage blocked: the size lasts for this page only.
        }
      }
    }

    sizeButtons.forEach(function (button) {
      button.addEventListener("click", function () {
        setSize(button.getAttribute("data-font-size"), true);
      });
    });
    var print = tools.querySelector("[data-print]");
    if (print) {
      print.addEventListener("click", function () {
        window.print();
      });
    }
    var close = tools.querySelector("[data-close]");
    if (close) {
      close.addEventListener("click", function () {
        // Browsers close only windows a script opened; otherwise go back, or to the home page.
        window.close();
        window.setTimeout(function () {
          if (window.closed) {
            return;
          }
          var sameSite = false;
          try {
            sameSite = Boolean(document.referrer) && new URL(document.referrer).host === window.location.host;
          } catch (e) {
            sameSite = false;
          }
          if (sameSite && window.history.length > 1) {
            window.history.back();
          } else {
            window.location.href = close.getAttribute("data-close-fallback") || "/";
          }
        }, 150);
      });
    }
    setSize(storedSize(), false);
    tools.hidden = false;
  });
})();
