/*! Chorus referral snippet (self-hosted). No dependencies, no third parties, no tracking beyond the referral.
 *
 * <script src="https://chorus.example.com/s/chorus.js" data-program="acme" async></script>
 *
 * Keeps the referral click id (?chorus_click=…) and typed referral code (?ref=…) in
 * first-party cookies on this site for the attribution window, and reports browser-side
 * conversions to Chorus with chorus.track(type, details). See docs/snippet.md.
 */
(function (window, document) {
  "use strict";

  var CLICK_COOKIE = "chorus_click";
  var REF_COOKIE = "chorus_ref";
  var DAY_SECONDS = 86400;

  function currentScript() {
    if (document.currentScript) return document.currentScript;
    var scripts = document.querySelectorAll("script[src*='/s/chorus.js'], script[data-chorus-program], script[data-program]");
    return scripts.length ? scripts[scripts.length - 1] : null;
  }

  var script = currentScript();
  var data = (script && script.dataset) || {};
  var endpoint = data.endpoint || (script && script.src ? new URL(script.src, window.location.href).origin : "");
  var program = data.program || data.chorusProgram || "";
  var windowDays = parseInt(data.windowDays, 10);
  if (!(windowDays > 0)) windowDays = 30;
  var cookieDomain = data.cookieDomain || "";

  function readCookie(name) {
    var parts = document.cookie ? document.cookie.split(";") : [];
    for (var i = 0; i < parts.length; i++) {
      var pair = parts[i].replace(/^\s+/, "");
      if (pair.indexOf(name + "=") === 0) {
        try {
          return decodeURIComponent(pair.substring(name.length + 1));
        } catch (error) {
          return "";
        }
      }
    }
    return "";
  }

  function writeCookie(name, value) {
    var cookie = name + "=" + encodeURIComponent(value) + "; Max-Age=" + windowDays * DAY_SECONDS + "; Path=/; SameSite=Lax";
    if (cookieDomain) cookie += "; Domain=" + cookieDomain;
    if (window.location.protocol === "https:") cookie += "; Secure";
    document.cookie = cookie;
  }

  function fromUrl(name) {
    try {
      return new URL(window.location.href).searchParams.get(name) || "";
    } catch (error) {
      return "";
    }
  }

  // A fresh click id or code in the URL replaces what is stored: the latest visit counts.
  var CLICK_PATTERN = /^[A-Za-z0-9_-]{20,80}$/;
  var CODE_PATTERN = /^[A-Za-z0-9-]{2,64}$/;
  var urlClick = fromUrl("chorus_click");
  var urlRef = fromUrl("ref");
  if (CLICK_PATTERN.test(urlClick)) writeCookie(CLICK_COOKIE, urlClick);
  if (CODE_PATTERN.test(urlRef)) writeCookie(REF_COOKIE, urlRef);

  function clickId() {
    var value = readCookie(CLICK_COOKIE);
    return CLICK_PATTERN.test(value) ? value : "";
  }

  function referralCode() {
    var value = readCookie(REF_COOKIE);
    return CODE_PATTERN.test(value) ? value : "";
  }

  var FIELDS = ["email", "customer_external_id", "name", "order_id", "amount", "currency", "promo_code"];

  /** Report a signup or purchase seen in the browser. Resolves to Chorus's JSON answer. */
  function track(type, details) {
    details = details || {};
    var body = { type: type };
    for (var i = 0; i < FIELDS.length; i++) {
      var value = details[FIELDS[i]];
      if (value !== undefined && value !== null && value !== "") body[FIELDS[i]] = value;
    }
    if (clickId()) body.click_id = clickId();
    if (referralCode()) body.referral_code = referralCode();
    if (!endpoint || !program || !window.fetch) {
      return Promise.reject(new Error("chorus: set data-program on the script tag"));
    }
    var url = endpoint + "/t/" + encodeURIComponent(program) + "/events";
    // A "simple" request (text/plain, no credentials): no CORS preflight, no cookies sent.
    return window.fetch(url, {
      method: "POST",
      mode: "cors",
      credentials: "omit",
      keepalive: true,
      headers: { "Content-Type": "text/plain;charset=UTF-8" },
      body: JSON.stringify(body),
    }).then(function (response) {
      return response.json().then(function (json) {
        if (!response.ok) {
          var error = new Error(json.message || "chorus: event refused");
          error.status = response.status;
          error.response = json;
          throw error;
        }
        return json;
      });
    });
  }

  /** Add hidden chorus_click / chorus_ref inputs to every <form data-chorus>. */
  function decorate(root) {
    var forms = (root || document).querySelectorAll("form[data-chorus]");
    var values = [["chorus_click", clickId()], ["chorus_ref", referralCode()]];
    for (var i = 0; i < forms.length; i++) {
      for (var j = 0; j < values.length; j++) {
        if (!values[j][1]) continue;
        var input = forms[i].querySelector("input[name='" + values[j][0] + "']");
        if (!input) {
          input = document.createElement("input");
          input.type = "hidden";
          input.name = values[j][0];
          forms[i].appendChild(input);
        }
        input.value = values[j][1];
      }
    }
  }

  var queued = Array.isArray(window.chorus) ? window.chorus : [];
  var api = { clickId: clickId, referralCode: referralCode, track: track, decorate: decorate };
  window.chorus = api;
  // Calls made before the script loaded: window.chorus = window.chorus || []; chorus.push(["track", "signup", {...}])
  for (var k = 0; k < queued.length; k++) {
    var call = queued[k];
    if (call && typeof api[call[0]] === "function") {
      var result = api[call[0]].apply(null, call.slice(1));
      if (result && result.catch) result.catch(function () {});
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { decorate(); });
  } else {
    decorate();
  }
})(window, document);
