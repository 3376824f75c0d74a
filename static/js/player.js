// Durus player: one page-wide <audio> in the player bar (outside the region that boosted
// navigation replaces), driven by the controls of the lecture page that is showing.
// Progress goes to the server every 15 s and on pause, seek, end and page hide (a signed-in
// listener's newest position is re-sent until the server has it); an anonymous listener's
// progress stays in localStorage until they sign in.
// Its words come from the page (data-text-* on #player-bar, in the interface language).
(function () {
  "use strict";

  var PING_EVERY_MS = 15000;
  var RATES = ["0.75", "1.00", "1.25", "1.50", "1.75", "2.00"];
  var STORE = "durus:progress:";
  var audio = null;
  var bar = null;
  var playing = null; // the lecture loaded in the audio element (a copy of its dataset)
  var page = null; // the .player section of the page showing now, if any
  var playbackId = null;
  var pingTimer = null;

  function $(root, selector) { return root ? root.querySelector(selector) : null; }

  // A sentence of the interface, from data-text-<name> on the player bar (base.html), with
  // its {placeholders} filled in.
  function text(name, values) {
    var key = "text" + name.charAt(0).toUpperCase() + name.slice(1);
    var sentence = (bar && bar.dataset[key]) || "";
    return sentence.replace(/\{(\w+)\}/g, function (whole, field) {
      return values && field in values ? String(values[field]) : whole;
    });
  }

  function clock(seconds) {
    var total = Math.max(0, Math.round(seconds || 0));
    var h = Math.floor(total / 3600), m = Math.floor((total % 3600) / 60), s = total % 60;
    var mm = h ? String(m).padStart(2, "0") : String(m);
    return (h ? h + ":" : "") + mm + ":" + String(s).padStart(2, "0");
  }

  function randomId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return "p-" + Date.now().toString(36) + Math.random().toString(36).slice(2, 10);
  }

  function browserId() {
    var id = localStorage.getItem("durus:browser");
    if (!id && window.crypto && crypto.randomUUID) {
      id = crypto.randomUUID();
      localStorage.setItem("durus:browser", id);
    }
    return id || "";
  }

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function say(message) {
    var toast = document.getElementById("toast");
    if (!toast) return;
    toast.textContent = message;
    toast.hidden = false;
    window.setTimeout(function () { toast.hidden = true; }, 4000);
  }

  // ---- Progress -------------------------------------------------------------------------
  // Each observation (lecture, position, event, when it was made) is sent at once. For a
  // signed-in listener the newest observation of each lecture is kept until the server
  // acknowledges it with a 2xx: while the site is unreachable, or answers 5xx, 408 or 429, it
  // is sent again after 2 s, then 4, 8, 16 and every 30 s, and a newer observation of that
  // lecture takes its place. The server keeps whichever observation is newest, so one that
  // arrives twice or late never moves progress back. Any other 4xx is final: the same
  // observation would get the same answer.

  var RETRY_FIRST_MS = 2000;
  var RETRY_LONGEST_MS = 30000;
  var unsent = {}; // lecture id → its newest observation the server has not acknowledged
  var retryTimer = null;
  var retryDelay = RETRY_FIRST_MS;

  function observation(lectureId, url, position, event, observedAt) {
    return {
      lectureId: lectureId, url: url, position: position, event: event,
      observedAt: observedAt, playbackId: playbackId || randomId(), sending: false
    };
  }

  function body(seen) {
    var data = new FormData();
    data.append("csrf_token", csrfToken());
    data.append("lecture", seen.lectureId);
    data.append("position", String(Math.max(0, seen.position).toFixed(1)));
    data.append("event", seen.event);
    data.append("observed_at", String(seen.observedAt));
    data.append("playback_id", seen.playbackId);
    var browser = browserId();
    if (browser) data.append("browser_id", browser);
    return data;
  }

  function keep(seen) {
    var held = unsent[seen.lectureId];
    if (!held || held.observedAt <= seen.observedAt) unsent[seen.lectureId] = seen;
  }

  function settle(seen) {
    if (unsent[seen.lectureId] === seen) delete unsent[seen.lectureId];
  }

  function worthRetrying(status) {
    return status === 408 || status === 429 || status >= 500;
  }

  function scheduleRetry() {
    if (retryTimer) return;
    retryTimer = window.setTimeout(retryUnsent, retryDelay);
    retryDelay = Math.min(retryDelay * 2, RETRY_LONGEST_MS);
  }

  function retryUnsent() {
    retryTimer = null;
    Object.keys(unsent).forEach(function (id) {
      if (!unsent[id].sending) transmit(unsent[id], true, false);
    });
  }

  // POST one observation; `held`: keep it (if it is the lecture's newest) until acknowledged.
  function transmit(seen, held, keepalive) {
    if (held) keep(seen);
    seen.sending = true;
    fetch(seen.url, { method: "POST", body: body(seen), credentials: "same-origin", keepalive: keepalive })
      .then(function (response) {
        seen.sending = false;
        if (response.ok) retryDelay = RETRY_FIRST_MS;
        if (held && worthRetrying(response.status)) scheduleRetry(); else settle(seen);
      }, function () {
        seen.sending = false;
        if (held) scheduleRetry();
      });
  }

  // `how`: "keepalive" when the page is hidden (it may live on, or be discarded); "beacon"
  // when it is going away, and nothing can be retried after that: the observations still
  // unsent go out once more with this one.
  function send(event, how) {
    if (!playing) return;
    var now = Date.now();
    var position = audio.currentTime;
    var signedIn = playing.signedIn === "true";
    if (!signedIn) {
      localStorage.setItem(STORE + playing.lectureId, JSON.stringify({
        position: position, observedAt: now, url: playing.progressUrl,
        completed: event === "ended"
      }));
    }
    var seen = observation(playing.lectureId, playing.progressUrl, position, event, now);
    if (how === "beacon" && navigator.sendBeacon) {
      navigator.sendBeacon(seen.url, body(seen));
      Object.keys(unsent).forEach(function (id) {
        if (id !== seen.lectureId) navigator.sendBeacon(unsent[id].url, body(unsent[id]));
      });
      return;
    }
    transmit(seen, signedIn, how === "keepalive");
  }

  // After signing in, the positions kept in this browser join the account (the server keeps
  // whichever observation is newest, so an old one never overwrites another device's).
  function flushStoredProgress(progressUrl) {
    for (var i = localStorage.length - 1; i >= 0; i--) {
      var key = localStorage.key(i);
      if (!key || key.indexOf(STORE) !== 0) continue;
      var saved;
      try { saved = JSON.parse(localStorage.getItem(key)); } catch (e) { saved = null; }
      localStorage.removeItem(key);
      if (!saved) continue;
      var event = saved.completed ? "ended" : "pause";
      var seen = observation(key.slice(STORE.length), progressUrl, saved.position, event, saved.observedAt);
      transmit(seen, true, false);
    }
  }

  function startPings() {
    stopPings();
    pingTimer = window.setInterval(function () { send("tick"); }, PING_EVERY_MS);
  }

  function stopPings() {
    if (pingTimer) window.clearInterval(pingTimer);
    pingTimer = null;
  }

  // ---- Loading a lecture into the audio element -----------------------------------------

  function startPosition(data) {
    if (data.start) return parseFloat(data.start);
    if (data.completed === "true") return 0;
    var resume = parseFloat(data.resume || "0");
    if (data.signedIn !== "true") {
      try {
        var saved = JSON.parse(localStorage.getItem(STORE + data.lectureId));
        if (saved && !saved.completed) resume = saved.position;
      } catch (e) { /* nothing saved */ }
    }
    return resume;
  }

  function load(data) {
    playing = Object.assign({}, data);
    playbackId = randomId();
    audio.src = data.audio;
    audio.preload = "metadata";
    var start = startPosition(data);
    var seekOnce = function () {
      if (start > 0 && start < audio.duration) audio.currentTime = start;
      audio.removeEventListener("loadedmetadata", seekOnce);
    };
    audio.addEventListener("loadedmetadata", seekOnce);
    audio.playbackRate = parseFloat(preferredRate(data));
    updateMediaSession();
    renderBar();
  }

  function preferredRate(data) {
    var rate = (data && data.rate) || localStorage.getItem("durus:rate") || "1.00";
    return RATES.indexOf(rate) >= 0 ? rate : "1.00";
  }

  // ---- The page's controls --------------------------------------------------------------

  function adopt(section) {
    page = section;
    var data = section.dataset;
    var native = $(section, ".player__native");
    if (native) { native.pause(); native.removeAttribute("src"); native.load(); native.hidden = true; }
    $(section, ".player__controls").hidden = false;
    if (!playing || playing.lectureId !== data.lectureId) {
      if (!playing || audio.paused) load(data);
    }
    var rateSelect = $(section, '[data-action="rate"]');
    if (rateSelect) rateSelect.value = preferredRate(playing && playing.lectureId === data.lectureId ? playing : data);
    renderPage();
  }

  function isThisPage() {
    return page && playing && page.dataset.lectureId === playing.lectureId && page.isConnected;
  }

  function renderPage() {
    if (!page || !page.isConnected) return;
    var own = isThisPage();
    var toggle = $(page, ".player__toggle");
    var paused = !own || audio.paused;
    toggle.textContent = text(paused ? "play" : "pause");
    toggle.setAttribute("aria-label", text(paused ? "play" : "pause"));
    var duration = parseFloat(page.dataset.duration);
    var position = own ? audio.currentTime : startPosition(page.dataset);
    var seek = $(page, ".player__seek");
    if (document.activeElement !== seek) seek.value = String(Math.floor(position));
    seek.setAttribute("aria-valuetext", text("position", { position: clock(position), duration: clock(duration) }));
    $(page, ".player__elapsed").textContent = clock(position);
    $(page, ".player__remaining").textContent = "−" + clock(duration - position);
  }

  function renderBar() {
    if (!bar || !playing) return;
    bar.hidden = false;
    document.body.classList.add("has-player-bar");
    var link = $(bar, '[data-bar="link"]');
    link.textContent = playing.title;
    link.setAttribute("href", playing.url);
    if (playing.titleLang) link.setAttribute("lang", playing.titleLang);
    if (playing.titleDir) link.setAttribute("dir", playing.titleDir);
    $(bar, '[data-bar="time"]').textContent = clock(audio.currentTime) + " / " + clock(parseFloat(playing.duration));
    var toggle = $(bar, '[data-bar="toggle"]');
    toggle.textContent = text(audio.paused ? "play" : "pause");
    toggle.setAttribute("aria-label", text(audio.paused ? "playTitle" : "pauseTitle", { title: playing.title }));
  }

  function ensurePageLecture() {
    if (page && page.isConnected && !isThisPage()) load(page.dataset);
  }

  function toggle() {
    ensurePageLecture();
    if (audio.paused) audio.play(); else audio.pause();
  }

  function skip(seconds) {
    ensurePageLecture();
    var target = Math.min(Math.max(0, audio.currentTime + seconds), audio.duration || Infinity);
    audio.currentTime = target;
  }

  function setRate(rate, save) {
    if (RATES.indexOf(rate) < 0) return;
    audio.playbackRate = parseFloat(rate);
    if (playing) playing.rate = rate;
    if (page) {
      page.dataset.rate = rate;
      var select = $(page, '[data-action="rate"]');
      if (select) select.value = rate;
    }
    if (!save) return;
    var signedIn = page && page.dataset.signedIn === "true";
    if (signedIn) {
      var data = new FormData();
      data.append("csrf_token", csrfToken());
      data.append("rate", rate);
      fetch(page.dataset.rateUrl, { method: "POST", body: data, credentials: "same-origin" });
    } else {
      localStorage.setItem("durus:rate", rate);
    }
  }

  function stepRate(direction) {
    var current = RATES.indexOf(playing ? preferredRate(playing) : "1.00");
    var next = RATES[Math.min(RATES.length - 1, Math.max(0, current + direction))];
    setRate(next, true);
    say(text("speed", { rate: parseFloat(next) }));
  }

  function share() {
    var base = page ? page.dataset.shareUrl : "";
    var at = isThisPage() ? Math.floor(audio.currentTime) : 0;
    var link = base + (at ? "?t=" + at : "");
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(link).then(function () {
        say(text("copied", { time: clock(at) }));
      }, function () { window.prompt(text("copyPrompt"), link); });
    } else {
      window.prompt(text("copyPrompt"), link);
    }
  }

  function restart() {
    ensurePageLecture();
    audio.currentTime = 0;
    var status = page && $(page, ".player__status");
    if (status) status.textContent = text("fromStart");
  }

  // ---- Next lecture ---------------------------------------------------------------------

  function showNext() {
    var next = page && $(page, ".player__next");
    if (next) next.hidden = false;
    if (!playing || playing.autoplayNext !== "true" || !playing.nextUrl) return;
    var url = playing.nextUrl;
    if (window.htmx) {
      htmx.ajax("GET", url, { target: "#content", select: "#content", swap: "outerHTML" }).then(function () {
        history.pushState({}, "", url);
        var section = document.querySelector("#content .player[data-lecture-id]");
        if (section) { load(section.dataset); adopt(section); audio.play(); }
      });
    } else {
      window.location.href = url;
    }
  }

  // ---- Media Session (lock screen, headsets) --------------------------------------------

  function updateMediaSession() {
    if (!("mediaSession" in navigator) || !playing) return;
    navigator.mediaSession.metadata = new MediaMetadata({
      title: playing.title, artist: playing.scholar, album: playing.series || "Durus"
    });
    var handlers = {
      play: function () { audio.play(); },
      pause: function () { audio.pause(); },
      seekbackward: function () { skip(-15); },
      seekforward: function () { skip(30); },
      seekto: function (details) { audio.currentTime = details.seekTime; },
      nexttrack: playing.nextUrl ? showNext : null
    };
    Object.keys(handlers).forEach(function (action) {
      try { navigator.mediaSession.setActionHandler(action, handlers[action]); } catch (e) { /* unsupported */ }
    });
  }

  // ---- Wiring ---------------------------------------------------------------------------

  function onClick(event) {
    var control = event.target.closest && event.target.closest("[data-action], [data-bar]");
    if (!control || control.tagName === "SELECT") return;
    var action = control.getAttribute("data-action") || control.getAttribute("data-bar");
    if (action === "link") return;
    if (action === "toggle") toggle();
    else if (action === "back") skip(-15);
    else if (action === "forward") skip(30);
    else if (action === "share") share();
    else if (action === "restart") restart();
  }

  function onKey(event) {
    var target = event.target;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (target.closest && target.closest("input, textarea, select, button, [contenteditable]")) {
      if (!(target.classList && target.classList.contains("player__seek"))) return;
    }
    if (!playing && !(page && page.isConnected)) return;
    // Letters by their place on the keyboard too, so K, J and L work in an Arabic layout.
    var key = event.key, code = event.code;
    if (key === " " || key === "k" || code === "KeyK") { event.preventDefault(); toggle(); }
    else if (key === "ArrowLeft" || key === "j" || code === "KeyJ") { event.preventDefault(); skip(-15); }
    else if (key === "ArrowRight" || key === "l" || code === "KeyL") { event.preventDefault(); skip(30); }
    else if (key === "<") stepRate(-1);
    else if (key === ">") stepRate(1);
  }

  function findPage() {
    var section = document.querySelector("#content .player[data-lecture-id]");
    if (section) adopt(section); else page = null;
    if (section && section.dataset.signedIn === "true") flushStoredProgress(section.dataset.progressUrl);
  }

  function init() {
    audio = document.getElementById("durus-audio");
    bar = document.getElementById("player-bar");
    if (!audio) return;
    audio.addEventListener("play", function () { send("play"); startPings(); renderBar(); renderPage(); });
    audio.addEventListener("pause", function () { stopPings(); if (!audio.ended) send("pause"); renderBar(); renderPage(); });
    audio.addEventListener("seeked", function () { if (!audio.paused) send("seek"); renderPage(); });
    audio.addEventListener("ended", function () { stopPings(); send("ended"); renderBar(); renderPage(); showNext(); });
    audio.addEventListener("timeupdate", function () { renderBar(); renderPage(); });
    document.addEventListener("click", onClick);
    document.addEventListener("change", function (event) {
      var target = event.target;
      if (target.matches && target.matches('[data-action="rate"]')) setRate(target.value, true);
    });
    document.addEventListener("input", function (event) {
      var target = event.target;
      if (target.classList && target.classList.contains("player__seek")) {
        ensurePageLecture();
        audio.currentTime = parseFloat(target.value);
      }
    });
    document.addEventListener("keydown", onKey);
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden" && playing && !audio.paused) send("pause", "keepalive");
    });
    window.addEventListener("pagehide", function () { if (playing && audio.currentTime > 0) send("pause", "beacon"); });
    // Boosted navigation swapped the content region: a lecture page there, or none.
    document.addEventListener("htmx:afterSettle", function () {
      var section = document.querySelector("#content .player[data-lecture-id]");
      if (section !== page) findPage();
    });
    findPage();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
