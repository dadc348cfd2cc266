// Veillée's pages work without this script; with it, the episode page's player follows the
// transcript, time codes seek every time they are clicked, and copy buttons copy.
(function () {
  "use strict";

  function say(el, text) {
    if (el) { el.textContent = text; }
  }

  function copy(text, status, done) {
    function fallback() {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.className = "discret";
      document.body.appendChild(area);
      area.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      document.body.removeChild(area);
      say(status, ok ? done : "La copie a échoué : sélectionnez le texte et copiez-le.");
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { say(status, done); }, fallback);
    } else {
      fallback();
    }
  }

  // Copy buttons: `data-copier` names the field whose value they copy.
  document.querySelectorAll("[data-copier]").forEach(function (button) {
    var field = document.getElementById(button.getAttribute("data-copier"));
    if (!field) { return; }
    var status = button.closest(".flux") && button.closest(".flux").querySelector(".etat");
    button.hidden = false;
    button.addEventListener("click", function () {
      field.select();
      copy(field.value, status, "Adresse copiée : collez-la dans votre application.");
    });
  });

  // Filters of the search are open beside the results on wide screens, folded on phones.
  var filters = document.getElementById("filtres");
  if (filters && window.matchMedia("(min-width: 60rem)").matches) { filters.open = true; }

  var player = document.getElementById("lecteur");
  if (!player) { return; }
  var status = document.getElementById("etat-lecteur");
  var controls = document.querySelector(".commandes");
  var follow = document.getElementById("suivre");
  var passages = Array.prototype.slice.call(document.querySelectorAll(".passage[data-t]"));
  var starts = passages.map(function (p) { return parseFloat(p.getAttribute("data-t")); });
  var current = -1;
  var following = true;
  var reduced = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  if (controls) { controls.hidden = false; }

  function clock(t) {
    t = Math.max(0, Math.floor(t));
    var h = Math.floor(t / 3600), m = Math.floor(t / 60) % 60, s = t % 60;
    var mm = (h && m < 10 ? "0" : "") + m, ss = (s < 10 ? "0" : "") + s;
    return (h ? h + ":" : "") + mm + ":" + ss;
  }

  // The passage being played: the last one that starts at or before `t`.
  function passageAt(t) {
    var lo = 0, hi = starts.length - 1, found = -1;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (starts[mid] <= t + 0.05) { found = mid; lo = mid + 1; } else { hi = mid - 1; }
    }
    return found;
  }

  function show(index, scroll) {
    if (index !== current) {
      if (current >= 0) {
        passages[current].classList.remove("actif");
        passages[current].removeAttribute("aria-current");
      }
      current = index;
      if (current >= 0) {
        passages[current].classList.add("actif");
        passages[current].setAttribute("aria-current", "true");
      }
    }
    if (scroll && current >= 0) {
      passages[current].scrollIntoView({ block: "center", behavior: reduced ? "auto" : "smooth" });
    }
  }

  function setFollowing(on) {
    following = on;
    if (follow) { follow.hidden = on || current < 0; }
  }

  function seek(t, play) {
    if (!isFinite(t) || t < 0) { return; }
    var apply = function () { player.currentTime = t; };
    if (player.readyState >= 1) { apply(); } else {
      player.addEventListener("loadedmetadata", apply, { once: true });
      apply();
    }
    history.replaceState(null, "", "#t=" + (Math.round(t * 1000) / 1000));
    setFollowing(true);
    show(passageAt(t), true);
    say(status, "Lecture à " + clock(t));
    if (play) {
      var p = player.play();
      if (p && p.catch) { p.catch(function () { say(status, "Position " + clock(t) + " : appuyez sur lecture."); }); }
    }
  }

  function timeOf(hash) {
    var m = /^#t=(\d+(?:\.\d+)?)$/.exec(hash || "");
    return m ? parseFloat(m[1]) : null;
  }

  // Every link to a moment of this page seeks and plays, the same one twice included, and
  // replaces the address instead of adding a history entry.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[href]");
    if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) { return; }
    var url = new URL(link.href, location.href);
    var t = timeOf(url.hash);
    if (t === null || url.pathname !== location.pathname || url.origin !== location.origin) { return; }
    event.preventDefault();
    seek(t, true);
  });

  player.addEventListener("timeupdate", function () {
    if (!starts.length) { return; }
    var index = passageAt(player.currentTime);
    var moved = index !== current;
    show(index, moved && following);
    if (follow && !following && current >= 0) { follow.hidden = false; }
  });
  player.addEventListener("play", function () { say(status, "Lecture"); });
  player.addEventListener("pause", function () { if (!player.ended) { say(status, "Pause à " + clock(player.currentTime)); } });
  player.addEventListener("ended", function () { say(status, "Fin de l’épisode"); });

  // A reader who scrolls away is not pulled back until they ask (a wheel, a touch or a key is
  // always the reader: the script's own scrolling sends none).
  function away() {
    if (following) { setFollowing(false); }
  }
  window.addEventListener("wheel", away, { passive: true });
  window.addEventListener("touchmove", away, { passive: true });
  window.addEventListener("keydown", function (event) {
    if (["PageUp", "PageDown", "Home", "End", "ArrowUp", "ArrowDown"].indexOf(event.key) >= 0 &&
        !(event.target.closest && event.target.closest("audio, select, input"))) { away(); }
  });
  if (follow) {
    follow.addEventListener("click", function () { setFollowing(true); show(current, true); });
  }

  document.querySelectorAll("[data-saut]").forEach(function (button) {
    button.addEventListener("click", function () {
      var to = Math.max(0, Math.min(player.duration || Infinity, player.currentTime + parseFloat(button.getAttribute("data-saut"))));
      player.currentTime = to;
      say(status, "Position " + clock(to));
    });
  });

  var speed = document.getElementById("vitesse");
  if (speed) {
    speed.addEventListener("change", function () {
      player.playbackRate = parseFloat(speed.value);
      say(status, "Vitesse " + speed.options[speed.selectedIndex].text);
    });
  }

  var share = document.getElementById("partager");
  if (share) {
    share.addEventListener("click", function () {
      var t = Math.floor(player.currentTime);
      var url = location.origin + location.pathname + "#t=" + t;
      history.replaceState(null, "", "#t=" + t);
      copy(url, status, "Lien vers " + clock(t) + " copié.");
    });
  }

  // `#t=SECONDS` in the address: that passage, in view and highlighted, and the player there.
  var start = timeOf(location.hash);
  if (start !== null) { seek(start, true); }
  window.addEventListener("hashchange", function () {
    var t = timeOf(location.hash);
    if (t !== null) { seek(t, true); }
  });
})();
