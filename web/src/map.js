/*
 * logmap map page and live dashboard.
 *
 * One script, two data feeds. A file written by `logmap map` embeds the page document
 * (src/render/html.rs): a small JSON part (`logmap-data`: summary, top lists, timeline, the
 * string table) and the addresses as binary columns (`logmap-columns`: gzip + base64, decoded
 * here with DecompressionStream into typed arrays, no object per address). A page served by
 * `logmap serve` has `"live": true` instead and reads the same data from the server's API
 * (/api/summary, /api/ips, /api/timeline), then follows /api/stream (server-sent events).
 *
 * Addresses at the very same point are grouped into *sites*; clusters are made of sites by
 * supercluster, so a million addresses cluster as fast as the few tens of thousands of places
 * they come from. Popups are built when opened.
 *
 * Every string in the data came from a log and is attacker-controlled: it only ever reaches
 * the page through textContent, attribute properties, or Leaflet APIs given DOM nodes. No
 * data goes through innerHTML or an HTML string.
 */
(function () {
  'use strict';

  // ---------------------------------------------------------------- helpers

  function byId(id) { return document.getElementById(id); }
  function readJson(id) {
    var node = byId(id);
    try {
      return JSON.parse(node ? node.textContent : 'null') || {};
    } catch (e) {
      return {};
    }
  }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function fmt(n) {
    return (Number(n) || 0).toLocaleString('en-US');
  }
  function plural(n, one, many) {
    return fmt(n) + ' ' + (n === 1 ? one : many);
  }
  function fmtTime(unix) {
    if (typeof unix !== 'number' || !isFinite(unix)) return '—';
    var d = new Date(unix * 1000);
    if (isNaN(d.getTime())) return '—';
    return d.toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
  }
  function parseTime(s) {
    var t = typeof s === 'string' ? Date.parse(s) : typeof s === 'number' ? s * 1000 : NaN;
    return isNaN(t) ? null : t / 1000;
  }
  function isObj(x) { return x !== null && typeof x === 'object' && !Array.isArray(x); }

  var boot = readJson('logmap-data');
  var world = readJson('logmap-world');
  var LIVE = boot.live === true;

  // ---------------------------------------------------------------- the address columns

  // Index i of every column describes one address. Coordinates are in 1/10,000 degrees,
  // times in seconds after t0, strings are string-table indices plus one (0: unknown).
  var UNKNOWN = -2147483648;
  var N = 0, cap = 0;
  var a4, fam, a6, lat4, lon4, ev, fl, sc, fs, ls, ccI, cityI, orgI, asnOf, acc, mlo, mhi, um;
  var ko = null, kv = null, uo = null, uv = null; // kinds and users of the embedded data
  var kOver = [], uOver = []; // kinds and users of addresses added or changed live
  var ipStr = []; // address text, made when first needed (or given, live)
  var S = [];
  var sIndex = null;
  var t0 = 0, slots = null;
  var meta = {}, summary = {}, nameOfCc = {};

  var TYPES = { u8: Uint8Array, u32: Uint32Array, i32: Int32Array };
  function setColumns(c, n) {
    a4 = c.a4; fam = c.fam; a6 = c.a6; lat4 = c.lat; lon4 = c.lon; ev = c.ev; fl = c.fl; sc = c.sc;
    fs = c.f; ls = c.l; ccI = c.cc; cityI = c.city; orgI = c.org; asnOf = c.asn; acc = c.acc;
    mlo = c.mlo; mhi = c.mhi; um = c.um;
    ko = c.ko || null; kv = c.kv || null; uo = c.uo || null; uv = c.uv || null;
    N = n;
    cap = n;
  }
  var GROWN = ['a4', 'fam', 'lat', 'lon', 'ev', 'fl', 'sc', 'f', 'l', 'cc', 'city', 'org', 'asn', 'acc', 'mlo', 'mhi', 'um'];
  function current() {
    return { a4: a4, fam: fam, a6: a6, lat: lat4, lon: lon4, ev: ev, fl: fl, sc: sc, f: fs, l: ls, cc: ccI, city: cityI,
      org: orgI, asn: asnOf, acc: acc, mlo: mlo, mhi: mhi, um: um, ko: ko, kv: kv, uo: uo, uv: uv };
  }
  // Room for `want` addresses (live data grows).
  function ensure(want) {
    if (want <= cap) return;
    var c = current();
    var size = Math.max(1024, cap * 2, want);
    var types = { a4: Uint32Array, fam: Uint8Array, lat: Int32Array, lon: Int32Array, ev: Uint32Array, fl: Uint32Array,
      sc: Uint32Array, f: Int32Array, l: Int32Array, cc: Uint32Array, city: Uint32Array, org: Uint32Array,
      asn: Uint32Array, acc: Uint8Array, mlo: Uint32Array, mhi: Uint32Array, um: Uint32Array };
    GROWN.forEach(function (k) {
      var next = new types[k](size);
      if (c[k]) next.set(c[k].subarray(0, N));
      c[k] = next;
    });
    var n = N;
    setColumns(c, n);
    cap = size;
  }

  function str(i) {
    return i >= 0 && i < S.length && typeof S[i] === 'string' ? S[i] : null;
  }
  function str1(i) { return i > 0 ? str(i - 1) : null; }
  function sid(s) {
    if (!sIndex) {
      sIndex = new Map();
      S.forEach(function (x, k) { if (!sIndex.has(x)) sIndex.set(x, k); });
    }
    var k = sIndex.get(s);
    if (k === undefined) {
      k = S.length;
      S.push(s);
      sIndex.set(s, k);
    }
    return k;
  }
  function located(i) { return lat4[i] !== UNKNOWN; }
  function lat(i) { return lat4[i] / 1e4; }
  function lon(i) { return lon4[i] / 1e4; }
  function first(i) { return fs[i] === UNKNOWN ? null : fs[i]; }
  function last(i) { return ls[i] === UNKNOWN ? null : ls[i]; }
  function kindsOf(i) {
    if (kOver[i]) return kOver[i];
    return ko && i + 1 < ko.length ? kv.subarray(2 * ko[i], 2 * ko[i + 1]) : [];
  }
  function usersOf(i) {
    if (uOver[i]) return uOver[i];
    return uo && i + 1 < uo.length ? uv.subarray(2 * uo[i], 2 * uo[i + 1]) : [];
  }
  function usersMore(i) { return um[i]; }
  function outcome(i) {
    return sc[i] > 0 ? 'success' : fl[i] > 0 ? 'failed' : 'other';
  }
  var RANK = { other: 0, failed: 1, success: 2 };
  function rank(i) { return sc[i] > 0 ? 2 : fl[i] > 0 ? 1 : 0; }

  function hex(x) { return x.toString(16); }
  // The text of address i, as the exports write it (IPv6 per RFC 5952).
  function ipText(i) {
    var t = ipStr[i];
    if (t !== undefined) return t;
    if (fam[i] === 4) {
      var a = a4[i];
      t = (a >>> 24) + '.' + ((a >>> 16) & 255) + '.' + ((a >>> 8) & 255) + '.' + (a & 255);
    } else {
      var o = a4[i] * 16, g = [];
      for (var k = 0; k < 8; k++) g.push((a6[o + 2 * k] << 8) | a6[o + 2 * k + 1]);
      if (g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff) {
        t = '::ffff:' + a6[o + 12] + '.' + a6[o + 13] + '.' + a6[o + 14] + '.' + a6[o + 15];
      } else {
        var best = -1, bestLen = 0, run = -1;
        for (var j = 0; j <= 8; j++) {
          if (j < 8 && g[j] === 0) {
            if (run < 0) run = j;
          } else if (run >= 0) {
            if (j - run > bestLen) { best = run; bestLen = j - run; }
            run = -1;
          }
        }
        t = bestLen < 2 ? g.map(hex).join(':')
          : g.slice(0, best).map(hex).join(':') + '::' + g.slice(best + bestLen).map(hex).join(':');
      }
    }
    ipStr[i] = t;
    return t;
  }
  var ipIndex = null;
  function indexOfIp(ip) {
    if (!ipIndex) {
      ipIndex = new Map();
      for (var i = 0; i < N; i++) ipIndex.set(ipText(i), i);
    }
    var i2 = ipIndex.get(String(ip));
    return i2 === undefined ? -1 : i2;
  }

  // The embedded columns: base64 → bytes → gunzip → typed arrays over one buffer.
  function fromBase64(text) {
    if (typeof Uint8Array.fromBase64 === 'function') return Uint8Array.fromBase64(text);
    var bin = atob(text);
    var out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }
  function loadEmbedded(doc) {
    var node = byId('logmap-columns');
    var text = node ? node.textContent.trim() : '';
    var layout = doc.cols && Array.isArray(doc.cols.layout) ? doc.cols.layout : [];
    var n = doc.cols ? Number(doc.cols.n) || 0 : 0;
    if (!text || !layout.length) {
      ensure(1);
      return Promise.resolve();
    }
    var bytes = fromBase64(text);
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
    return new Response(stream).arrayBuffer().then(function (buf) {
      var c = {}, at = 0;
      layout.forEach(function (d) {
        var T = TYPES[d[1]] || Uint8Array;
        var len = Number(d[2]) || 0;
        c[d[0]] = new T(buf, at, len);
        at += len * T.BYTES_PER_ELEMENT;
        at = Math.ceil(at / 8) * 8;
      });
      setColumns(c, n);
    });
  }

  // One export record (the API's and the stream's) into the columns: a new address or a change.
  // Returns the address's index for a new one, -1 - index for a changed one, null for junk.
  function upsert(rec) {
    if (!isObj(rec) || typeof rec.ip !== 'string') return null;
    var i = indexOfIp(rec.ip);
    var isNew = i < 0;
    if (isNew) {
      ensure(N + 1);
      i = N++;
      ipStr[i] = rec.ip;
      ipIndex.set(rec.ip, i);
    }
    var okLat = typeof rec.lat === 'number' && isFinite(rec.lat) && Math.abs(rec.lat) <= 90;
    var okLon = typeof rec.lon === 'number' && isFinite(rec.lon) && Math.abs(rec.lon) <= 180;
    lat4[i] = okLat && okLon ? Math.round(rec.lat * 1e4) : UNKNOWN;
    lon4[i] = okLat && okLon ? Math.round(rec.lon * 1e4) : UNKNOWN;
    ev[i] = Number(rec.events) || 0;
    fl[i] = Number(rec.failures) || 0;
    sc[i] = Number(rec.successes) || 0;
    var f = parseTime(rec.first_seen), l = parseTime(rec.last_seen);
    fs[i] = f === null ? UNKNOWN : f - t0;
    ls[i] = l === null ? UNKNOWN : l - t0;
    function s1(x) { return typeof x === 'string' && x ? sid(x) + 1 : 0; }
    ccI[i] = s1(rec.country);
    if (typeof rec.country === 'string' && typeof rec.country_name === 'string') nameOfCc[rec.country] = rec.country_name;
    cityI[i] = s1(rec.city);
    orgI[i] = s1(rec.as_org);
    asnOf[i] = Number(rec.asn) || 0;
    acc[i] = rec.accuracy === 'city' ? 2 : rec.accuracy === 'country' ? 1 : 0;
    function pairs(o, limit) {
      var list = isObj(o) ? Object.keys(o).map(function (k) { return [k, Number(o[k]) || 0]; }) : [];
      list.sort(function (a, b) { return b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0); });
      var flat = [];
      list.slice(0, limit).forEach(function (p) { flat.push(sid(p[0]), p[1]); });
      return { flat: flat, more: Math.max(0, list.length - limit) };
    }
    kOver[i] = pairs(rec.kinds, 64).flat;
    var u = pairs(rec.users, 10);
    uOver[i] = u.flat;
    um[i] = u.more;
    var m = 0, mh = 0;
    if (slots && (f !== null || l !== null)) {
      var a = slotOf(f === null ? l : f), b = slotOf(l === null ? f : l);
      for (var k = a; k <= b; k++) {
        if (k < 32) m |= 1 << k;
        else mh |= 1 << (k - 32);
      }
    }
    mlo[i] = m >>> 0;
    mhi[i] = mh >>> 0;
    return isNew ? i : -1 - i;
  }
  function slotOf(t) {
    var k = Math.floor((t - slots.start) / slots.seconds);
    return Math.max(0, Math.min(slots.count - 1, k));
  }

  // ---------------------------------------------------------------- what the data is about

  var kindTotals = null, hasSsh = true, hasFirewall = false;
  var countryRows = [], numericOf = {}, ccOfNumeric = {};
  var SSH_KINDS = ['auth_failure', 'invalid_user', 'policy_reject', 'too_many_failures', 'auth_success',
    'preauth_disconnect', 'scan'];
  function kindTotal(k) { return kindTotals ? Number(kindTotals[k]) || 0 : 0; }

  // Reads the small parts of the data: summary, countries, which panels apply.
  function readMeta(m) {
    meta = isObj(m) ? m : {};
    summary = isObj(meta.summary) ? meta.summary : {};
    // Events per kind over the whole log (`summary.kinds`).
    kindTotals = isObj(summary.kinds) ? summary.kinds : null;
    // The SSH numbers (failed and successful logins, user names) only where there are SSH
    // events, as in the terminal; a firewall log shows what it blocked instead.
    hasSsh = !kindTotals || (Number(summary.failures) || 0) > 0 || (Number(summary.successes) || 0) > 0 ||
      SSH_KINDS.some(function (k) { return kindTotal(k) > 0; });
    hasFirewall = kindTotal('blocked') + kindTotal('allowed') > 0;
    countryRows = Array.isArray(meta.countries) ? meta.countries : [];
    countryRows.forEach(function (r) {
      if (!r || typeof r.country !== 'string') return;
      if (r.numeric !== null && r.numeric !== undefined) {
        var id = String(r.numeric);
        while (id.length < 3) id = '0' + id;
        numericOf[r.country] = id;
        ccOfNumeric[id] = r.country;
      }
      if (typeof r.country_name === 'string') nameOfCc[r.country] = r.country_name;
    });
  }
  function countryLabel(cc) {
    var name = nameOfCc[cc];
    return (name ? name + ' (' + cc + ')' : cc);
  }

  // ---------------------------------------------------------------- filters

  var state = {
    from: 0,
    to: 0,
    facet: null, // {type: 'country'|'asn'|'user', value, label}
    kind: ''     // '' all, or a kind name
  };
  var rangeLo = -1, rangeHi = -1; // masks of the selected slots; -1 = all

  function setRangeMasks() {
    if (!slots || (state.from === 0 && state.to === slots.count - 1)) {
      rangeLo = rangeHi = -1;
      return;
    }
    rangeLo = 0;
    rangeHi = 0;
    for (var b = state.from; b <= state.to; b++) {
      if (b < 32) rangeLo |= 1 << b;
      else rangeHi |= 1 << (b - 32);
    }
  }
  function inTime(i) {
    if (rangeLo === -1) return true;
    if (mlo[i] === 0 && mhi[i] === 0) return true; // no time known
    return (mlo[i] & rangeLo) !== 0 || (mhi[i] & rangeHi) !== 0;
  }
  var facetId = -1;
  function inFacet(i) {
    var f = state.facet;
    if (!f) return true;
    if (f.type === 'country') return ccI[i] === facetId + 1;
    if (f.type === 'asn') return asnOf[i] === f.value;
    if (f.type === 'user') {
      var u = usersOf(i);
      for (var k = 0; k < u.length; k += 2) if (u[k] === facetId) return true;
      return false;
    }
    return true;
  }
  var kindId = -1;
  function inKind(i) {
    if (!state.kind) return true;
    var k = kindsOf(i);
    for (var j = 0; j < k.length; j += 2) if (k[j] === kindId && k[j + 1] > 0) return true;
    return false;
  }
  function selected(i) {
    return inTime(i) && inFacet(i) && inKind(i);
  }
  function filtering() {
    return rangeLo !== -1 || state.facet !== null || !!state.kind;
  }

  // ---------------------------------------------------------------- map

  var WORLD = L.latLngBounds([-85, -180], [85, 180]);
  var EDGE = 230; // how far east and west (degrees of longitude) the view may pan
  var MAX_ZOOM = 13;
  var map = L.map('map', {
    preferCanvas: true,
    worldCopyJump: false,
    maxBounds: L.latLngBounds([-88, -EDGE], [88, EDGE]),
    maxBoundsViscosity: 1.0,
    zoomSnap: 0.25,
    zoomDelta: 0.5,
    minZoom: 1,
    maxZoom: MAX_ZOOM
  });
  map.attributionControl.setPrefix('<a href="https://leafletjs.com" target="_blank" rel="noopener noreferrer">Leaflet</a>');
  map.attributionControl.addAttribution('<a href="https://db-ip.com" target="_blank" rel="noopener noreferrer">IP Geolocation by DB-IP</a>');

  function fitMinZoom() {
    var w = map.getSize().x;
    var z = Math.max(1, Math.ceil((Math.log(Math.max(w, 256) / 256) / Math.LN2) * 4) / 4);
    map.setMinZoom(z);
  }
  fitMinZoom();
  map.on('resize', fitMinZoom);

  map.createPane('basemap').style.zIndex = 150;
  map.createPane('choropleth').style.zIndex = 300;
  map.createPane('halos').style.zIndex = 390;
  var baseRenderer = L.canvas({ pane: 'basemap', padding: 0.3 });
  var choroRenderer = L.canvas({ pane: 'choropleth', padding: 0.3 });
  var haloRenderer = L.canvas({ pane: 'halos', padding: 0.3 });
  var pointRenderer = L.canvas({ padding: 0.3, tolerance: 3 });

  // World features (see unwrapRing below for how polygons near ±180° are drawn).
  var features = [];
  try {
    if (world.objects && world.objects.countries) {
      features = topojson.feature(world, world.objects.countries).features;
    }
  } catch (e) {
    features = [];
  }
  // Country outlines as in world-atlas, for zooming to a country: the drawn copies shifted by
  // 360° would stretch its bounds across the world.
  var featureById = {};
  features.forEach(function (f) {
    if (f.id !== undefined) featureById[String(f.id)] = f;
  });
  features = features.map(unwrapFeature);

  // world-atlas is made for spherical (d3) rendering: rings of Russia, Fiji and Antarctica
  // jump from +180° to -180°, which a flat map draws as bands across the world. Each ring is
  // made continuous (longitudes may pass ±180°), a ring around a pole is closed along the
  // pole, and a polygon near ±180° is drawn a second time shifted by 360°, so both sides of
  // the line are covered up to the pan limit. The map shows one world (no wrapping): the
  // points are drawn once, where they are.
  function unwrapRing(ring) {
    var out = [], shift = 0, prev = null;
    for (var k = 0; k < ring.length; k++) {
      var x = ring[k][0], y = ring[k][1];
      if (prev !== null) {
        var d = x + shift - prev;
        if (d > 180) shift -= 360;
        else if (d < -180) shift += 360;
      }
      prev = x + shift;
      out.push([prev, y]);
    }
    var wind = out.length ? out[out.length - 1][0] - out[0][0] : 0;
    if (Math.abs(wind) > 180) {
      var pole = out.reduce(function (a, p) { return a + p[1]; }, 0) < 0 ? -90 : 90;
      out.push([out[out.length - 1][0], pole], [out[0][0], pole], out[0]);
    }
    return out;
  }
  function unwrapPolygon(rings) {
    var outer = unwrapRing(rings[0] || []);
    var lo = Infinity, hi = -Infinity;
    outer.forEach(function (p) { lo = Math.min(lo, p[0]); hi = Math.max(hi, p[0]); });
    var mid = (lo + hi) / 2;
    var poly = [outer].concat(rings.slice(1).map(function (r) {
      var u = unwrapRing(r);
      var c = u.length ? u[0][0] : mid;
      var k = Math.round((mid - c) / 360) * 360; // holes go where their outer ring is
      return u.map(function (p) { return [p[0] + k, p[1]]; });
    }));
    // The view may pan 50° past ±180° (maxBounds): a polygon that reaches into what is shown
    // there on the other side (Alaska beside Chukotka, Chukotka's tip across the line) is
    // drawn there too, shifted by 360°.
    var list = [poly];
    [-360, 360].forEach(function (shift) {
      if (lo + shift < EDGE && hi + shift > -EDGE) {
        list.push(poly.map(function (r) { return r.map(function (p) { return [p[0] + shift, p[1]]; }); }));
      }
    });
    return list;
  }
  function unwrapFeature(f) {
    var g = f.geometry;
    if (!g || (g.type !== 'Polygon' && g.type !== 'MultiPolygon')) return f;
    var polys = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
    var out = [];
    polys.forEach(function (p) { out = out.concat(unwrapPolygon(p)); });
    return { type: 'Feature', id: f.id, properties: f.properties, geometry: { type: 'MultiPolygon', coordinates: out } };
  }

  var THEMES = {
    dark: { fill: '#273140', line: '#3b4757', sea: '#0d1b2a' },
    light: { fill: '#f7f5f0', line: '#b9b2a5', sea: '#b9d3e6' }
  };
  function basemap(theme) {
    var t = THEMES[theme];
    var layer = L.geoJSON(features, {
      renderer: baseRenderer,
      interactive: false,
      style: { color: t.line, weight: 0.6, fillColor: t.fill, fillOpacity: 1, smoothFactor: 0.6 }
    });
    layer.logmapTheme = theme;
    return layer;
  }
  function tiles(url, attribution, theme, extra) {
    var layer = L.tileLayer(url, L.extend({ noWrap: true, bounds: WORLD, maxZoom: 19, attribution: attribution }, extra || {}));
    layer.logmapTheme = theme;
    return layer;
  }
  var OSM = '&copy; <a href="https://www.openstreetmap.org/copyright" target="_blank" rel="noopener noreferrer">OpenStreetMap</a> contributors';
  var CARTO = OSM + ' &copy; <a href="https://carto.com/attributions" target="_blank" rel="noopener noreferrer">CARTO</a>';
  var baseLayers = {
    'Offline map, dark': basemap('dark'),
    'Offline map, light': basemap('light'),
    'OpenStreetMap (online)': tiles('https://tile.openstreetmap.org/{z}/{x}/{y}.png', OSM, 'light'),
    'CARTO light (online)': tiles('https://{s}.basemaps.cartocdn.com/light_all/{z}/{x}/{y}{r}.png', CARTO, 'light', { subdomains: 'abcd' }),
    'CARTO dark (online)': tiles('https://{s}.basemaps.cartocdn.com/dark_all/{z}/{x}/{y}{r}.png', CARTO, 'dark', { subdomains: 'abcd' })
  };

  function setTheme(theme) {
    document.body.classList.toggle('theme-dark', theme === 'dark');
    document.body.classList.toggle('theme-light', theme !== 'dark');
    restyleMarkers();
  }
  map.on('baselayerchange', function (e) {
    setTheme(e.layer.logmapTheme || 'dark');
  });

  // ---------------------------------------------------------------- markers

  function radius(i) {
    return 3 + 2.4 * (Math.log(1 + ev[i]) / Math.LN10);
  }
  function markerStyle(i) {
    var o = outcome(i);
    var dark = document.body.classList.contains('theme-dark');
    if (o === 'success') {
      return { radius: radius(i) + 3, color: dark ? '#ffffff' : '#0b4d27', weight: 2.5, fillColor: '#2fe07a', fillOpacity: 1 };
    }
    if (o === 'failed') {
      return { radius: radius(i), color: dark ? '#ffb3b5' : '#7d1a1d', weight: 0.8, opacity: 0.9, fillColor: '#e5484d', fillOpacity: 0.72 };
    }
    return { radius: radius(i), color: dark ? '#c9d1d9' : '#3d444d', weight: 0.8, opacity: 0.8, fillColor: '#8b949e', fillOpacity: 0.6 };
  }
  function makeMarker(i) {
    var m = L.circleMarker([lat(i), lon(i)], L.extend({ renderer: pointRenderer, bubblingMouseEvents: false }, markerStyle(i)));
    m.logmapIndex = i;
    return m;
  }
  function halo(i) {
    var h = L.circleMarker([lat(i), lon(i)], {
      renderer: haloRenderer, interactive: false, stroke: false,
      radius: radius(i) + 12, fillColor: '#2fe07a', fillOpacity: 0.3
    });
    h.logmapHalo = true;
    return h;
  }

  // ---------------------------------------------------------------- selection and sites

  // The selected located addresses, and the sites they are drawn at: addresses at the very
  // same point share a site (the embedded data places many addresses at one city), listed
  // loudest first (success, failed, other; then events). Rebuilt when the selection changes.
  var sel = new Int32Array(0), selCount = 0;
  var siteOf = new Int32Array(0), siteStart = new Int32Array(1), siteMembers = new Int32Array(0);
  var siteN = 0, siteLat, siteLon, siteF, siteS, siteEv;

  // A sort key that orders addresses by rank, then events (descending), then index: packed in
  // one double so a million of them sort natively.
  var TWO21 = 2097152;
  function loudKeys(list, count) {
    var keys = new Float64Array(count);
    for (var k = 0; k < count; k++) {
      var i = list[k];
      var e = Math.min(ev[i], 1048575);
      keys[k] = ((2 - rank(i)) * 1048576 + (1048575 - e)) * TWO21 + (i % TWO21);
    }
    return keys;
  }

  function buildSelection() {
    if (sel.length < N) sel = new Int32Array(Math.max(N, 16));
    selCount = 0;
    for (var i = 0; i < N; i++) if (lat4[i] !== UNKNOWN && selected(i)) sel[selCount++] = i;
    // loudest first: sites list their members in this order
    var keys = loudKeys(sel, selCount);
    keys.sort();
    var ordered = new Int32Array(selCount);
    if (N < TWO21) {
      for (var k = 0; k < selCount; k++) ordered[k] = keys[k] % TWO21;
    } else {
      ordered = sel.slice(0, selCount); // a huge live history: unordered
    }
    sel = ordered;
    // sites
    var byPoint = new Map();
    if (siteOf.length < N) siteOf = new Int32Array(Math.max(N, 16));
    siteOf.fill(-1);
    var count = new Int32Array(selCount + 1);
    siteN = 0;
    var firstOfSite = [];
    for (var j = 0; j < selCount; j++) {
      var a = sel[j];
      var key = (lat4[a] + 900000) * 3600001 + (lon4[a] + 1800000);
      var s = byPoint.get(key);
      if (s === undefined) {
        s = siteN++;
        byPoint.set(key, s);
        firstOfSite.push(a);
      }
      siteOf[a] = s;
      count[s]++;
    }
    siteStart = new Int32Array(siteN + 1);
    for (var q = 0; q < siteN; q++) siteStart[q + 1] = siteStart[q] + count[q];
    var fill = siteStart.slice(0, siteN);
    siteMembers = new Int32Array(selCount);
    siteF = new Int32Array(siteN);
    siteS = new Int32Array(siteN);
    siteEv = new Float64Array(siteN);
    for (var p = 0; p < selCount; p++) {
      var b = sel[p], st = siteOf[b];
      siteMembers[fill[st]++] = b;
      if (fl[b] > 0) siteF[st]++;
      if (sc[b] > 0) siteS[st]++;
      siteEv[st] += ev[b];
    }
    siteLat = new Float64Array(siteN);
    siteLon = new Float64Array(siteN);
    for (var r = 0; r < siteN; r++) {
      siteLat[r] = lat(firstOfSite[r]);
      siteLon[r] = lon(firstOfSite[r]);
    }
  }
  function siteSize(s) { return siteStart[s + 1] - siteStart[s]; }
  function samePlaceAs(i) {
    var s = siteOf[i];
    if (s === undefined || s < 0) return [];
    var out = [];
    for (var k = siteStart[s]; k < siteStart[s + 1]; k++) if (siteMembers[k] !== i) out.push(siteMembers[k]);
    return out;
  }

  // ---------------------------------------------------------------- markers layer

  // Every selected address as a marker, up to MAX_MARKERS: above that, the loudest in view
  // (and the layer says so); the layer is redrawn as the view moves.
  var MAX_MARKERS = 25000;
  var markersLayer = L.featureGroup();
  var haloLayer = L.layerGroup();
  var markerOf = {};
  var markersCapped = false, markersShown = 0;
  markersLayer.on('add', function () { dirty.markers = true; refresh(markersLayer); map.addLayer(haloLayer); updateNote(); });
  markersLayer.on('remove', function () { map.removeLayer(haloLayer); updateNote(); });
  markersLayer.on('click', function (e) { openPopup(e.layer); });

  function drawMarkers() {
    markersLayer.clearLayers();
    haloLayer.clearLayers();
    markerOf = {};
    var list = sel, count = selCount;
    markersCapped = count > MAX_MARKERS;
    if (markersCapped) {
      var b = map.getBounds().pad(0.2);
      var inView = [];
      // sel is loudest first: the first MAX_MARKERS in view are the loudest
      for (var k = 0; k < count && inView.length < MAX_MARKERS; k++) {
        var i = sel[k];
        if (b.contains([lat(i), lon(i)])) inView.push(i);
      }
      list = inView;
      count = inView.length;
    }
    markersShown = count;
    // drawn quietest first, so the loud and the small stay on top
    for (var j = count - 1; j >= 0; j--) {
      var a = list[j];
      var m = makeMarker(a);
      markerOf[a] = m;
      if (sc[a] > 0) haloLayer.addLayer(halo(a));
      markersLayer.addLayer(m);
    }
  }
  map.on('moveend', function () {
    if (markersCapped && map.hasLayer(markersLayer)) {
      drawMarkers();
      updateNote();
    }
  });

  // ---------------------------------------------------------------- clusters layer

  // Sites clustered by supercluster; a cluster's colour is the share of its addresses with
  // failed logins, a green ring marks one with a successful login. Lone sites of one address
  // are drawn as markers; a site of several addresses as a cluster that opens a popup.
  var clusterLayer = L.layerGroup();
  var clusterIndex = null;
  var clusterReady = true;
  var clusterOf = {};
  var CLUSTER_MAX_ZOOM = MAX_ZOOM - 1;
  clusterLayer.on('add', function () { dirty.clusters = true; refresh(clusterLayer); updateLegend(); });
  clusterLayer.on('remove', function () { updateLegend(); });
  map.on('moveend', function () {
    if (map.hasLayer(clusterLayer)) drawClusters();
  });

  function buildIndex() {
    var pts = new Array(siteN);
    for (var s = 0; s < siteN; s++) {
      pts[s] = { type: 'Feature', properties: { s: s }, geometry: { type: 'Point', coordinates: [siteLon[s], siteLat[s]] } };
    }
    clusterIndex = new Supercluster({
      radius: 50, extent: 256, minZoom: 0, maxZoom: CLUSTER_MAX_ZOOM, minPoints: 2,
      map: function (p) { var s = p.s; return { n: siteSize(s), f: siteF[s], k: siteS[s] }; },
      reduce: function (a, b) { a.n += b.n; a.f += b.f; a.k += b.k; }
    });
    clusterIndex.load(pts);
  }

  // The colour step of a share of addresses with failed logins: 0 only when none failed, 10
  // only when all did, tenths between (map.css .cluster.f0 … .f10, grey to red).
  function shareStep(failed, total) {
    if (failed <= 0 || total <= 0) return 0;
    if (failed >= total) return 10;
    return Math.min(9, Math.max(1, Math.round((10 * failed) / total)));
  }
  function clusterMarker(latlng, n, failed, success, info) {
    var size = Math.round(28 + 9 * (Math.log(n) / Math.LN10));
    var cls = 'cluster f' + shareStep(failed, n) + (success ? ' has-success' : '');
    var label = el('span', null, n >= 10000 ? Math.round(n / 1000) + 'k' : String(n));
    label.title = plural(n, 'address', 'addresses') + ', ' + fmt(failed) + ' with failed logins (' +
      Math.round((100 * failed) / Math.max(1, n)) + '%)' +
      (success ? ', ' + plural(success, 'successful login', 'successful logins') : '');
    var m = L.marker(latlng, {
      icon: L.divIcon({ html: label, className: cls, iconSize: L.point(size, size) }),
      zIndexOffset: success ? 1000 : 0,
      keyboard: false
    });
    m.logmapCluster = info;
    m.on('click', function () { clusterClick(m); });
    return m;
  }
  function drawClusters() {
    clusterLayer.clearLayers();
    clusterOf = {};
    if (!clusterIndex) return;
    var b = map.getBounds().pad(0.5);
    var bbox = [Math.max(-180, b.getWest()), Math.max(-85, b.getSouth()), Math.min(180, b.getEast()), Math.min(85, b.getNorth())];
    if (bbox[0] >= bbox[2] || bbox[1] >= bbox[3]) return;
    var z = Math.max(0, Math.min(CLUSTER_MAX_ZOOM + 1, Math.floor(map.getZoom())));
    var found = clusterIndex.getClusters(bbox, z);
    for (var k = 0; k < found.length; k++) {
      var fe = found[k], p = fe.properties, c = fe.geometry.coordinates;
      if (p.cluster) {
        clusterLayer.addLayer(clusterMarker([c[1], c[0]], p.n, p.f, p.k, { id: p.cluster_id }));
        continue;
      }
      var s = p.s;
      if (siteSize(s) === 1) {
        var i = siteMembers[siteStart[s]];
        var m = makeMarker(i);
        m.on('click', function (e) { openPopup(e.target); });
        clusterOf[i] = m;
        clusterLayer.addLayer(m);
      } else {
        var cm = clusterMarker([siteLat[s], siteLon[s]], siteSize(s), siteF[s], siteS[s], { site: s });
        for (var q = siteStart[s]; q < siteStart[s + 1]; q++) clusterOf[siteMembers[q]] = cm;
        clusterLayer.addLayer(cm);
      }
    }
  }
  // The sites of a drawn cluster.
  function clusterSites(info) {
    if (info.site !== undefined) return [info.site];
    return clusterIndex.getLeaves(info.id, Infinity).map(function (f) { return f.properties.s; });
  }
  function clusterAddresses(info) {
    var out = [];
    clusterSites(info).forEach(function (s) {
      for (var k = siteStart[s]; k < siteStart[s + 1]; k++) out.push(siteMembers[k]);
    });
    return out;
  }
  function clusterClick(m) {
    var info = m.logmapCluster;
    if (info.site !== undefined) {
      // One point: the popup of its loudest address lists the others.
      var top = siteMembers[siteStart[info.site]];
      popup.setLatLng(m.getLatLng()).setContent(popupContent(top)).openOn(map);
      return;
    }
    var z = Math.min(MAX_ZOOM, clusterIndex.getClusterExpansionZoom(info.id));
    map.setView(m.getLatLng(), Math.max(z, map.getZoom() + 1));
  }

  // ---------------------------------------------------------------- heat map

  var heatLayer = L.heatLayer([], {
    radius: 14, blur: 18, maxZoom: 4, minOpacity: 0.3, max: 1,
    gradient: { 0.2: '#3b1c5a', 0.45: '#a12a5e', 0.7: '#ed6e45', 0.9: '#fbd25b', 1.0: '#fff7c7' }
  });
  heatLayer.on('add', function () { refresh(heatLayer); });
  // leaflet.heat's maxZoom is the zoom of full intensity, but the layer control reads a
  // layer's maxZoom as "hidden above" and would disable the checkbox past zoom 4 (the heat map
  // could then be neither shown nor hidden). The control gets a plain group holding it.
  var heatControl = L.layerGroup([heatLayer]);

  var dirty = { markers: true, clusters: true, heat: true };
  var readyFlag = false;

  function refresh(layer) {
    if (layer === markersLayer) {
      if (!dirty.markers) return;
      dirty.markers = false;
      drawMarkers();
    } else if (layer === clusterLayer) {
      if (!dirty.clusters) return;
      dirty.clusters = false;
      buildIndex();
      drawClusters();
    } else if (layer === heatLayer) {
      if (!dirty.heat) return;
      dirty.heat = false;
      // one point per site, weighted by its events
      var pts = new Array(siteN);
      var top = 1;
      for (var h = 0; h < siteN; h++) top = Math.max(top, siteEv[h]);
      var scale = Math.log(1 + top);
      for (var p = 0; p < siteN; p++) {
        pts[p] = [siteLat[p], siteLon[p], 0.25 + 0.75 * Math.log(1 + siteEv[p]) / scale];
      }
      heatLayer.setOptions({ max: Math.max(1, Math.min(4, siteN / 400)) });
      heatLayer.setLatLngs(pts);
    }
  }

  function restyleMarkers() {
    markersLayer.eachLayer(function (m) { m.setStyle(markerStyle(m.logmapIndex)); });
    clusterLayer.eachLayer(function (m) { if (m.logmapIndex !== undefined) m.setStyle(markerStyle(m.logmapIndex)); });
  }

  // ---------------------------------------------------------------- choropleth

  var RAMP = ['#fff3b0', '#fed976', '#feb24c', '#fd8d3c', '#f03b20', '#bd0026', '#6e0021'];
  var choroCounts = {}, choroMax = 0;
  function countCountries() {
    choroCounts = {};
    choroMax = 0;
    if (!filtering() && countryRows.length) {
      countryRows.forEach(function (r) {
        if (r && typeof r.country === 'string') {
          choroCounts[r.country] = { events: Number(r.events) || 0, ips: Number(r.ips) || 0, failures: Number(r.failures) || 0 };
        }
      });
    } else {
      for (var i = 0; i < N; i++) {
        var cc = str1(ccI[i]);
        if (!cc || !selected(i)) continue;
        var c = choroCounts[cc] || (choroCounts[cc] = { events: 0, ips: 0, failures: 0 });
        c.events += ev[i];
        c.ips += 1;
        c.failures += fl[i];
      }
    }
    Object.keys(choroCounts).forEach(function (cc) { choroMax = Math.max(choroMax, choroCounts[cc].events); });
  }
  function rampIndex(n) {
    if (!n || choroMax <= 0) return -1;
    var x = Math.log(1 + n) / Math.log(1 + choroMax);
    return Math.min(RAMP.length - 1, Math.floor(x * RAMP.length));
  }
  function choroStyle(f) {
    var cc = ccOfNumeric[String(f.id)];
    var c = cc && choroCounts[cc];
    var r = rampIndex(c ? c.events : 0);
    var dark = document.body.classList.contains('theme-dark');
    return {
      renderer: choroRenderer,
      color: dark ? '#0d1b2a' : '#ffffff', weight: 0.5,
      fillColor: r < 0 ? 'transparent' : RAMP[r], fillOpacity: r < 0 ? 0 : 0.78
    };
  }
  var choroLayer = L.geoJSON(features, {
    renderer: choroRenderer,
    style: choroStyle,
    onEachFeature: function (f, layer) {
      layer.bindTooltip(function () { return choroTip(f); }, { sticky: true, className: 'country-tip' });
      layer.on('click', function () {
        var cc = ccOfNumeric[String(f.id)];
        if (cc && choroCounts[cc]) setFacet({ type: 'country', value: cc, label: 'Country: ' + countryLabel(cc) });
      });
    }
  });
  function choroTip(f) {
    var cc = ccOfNumeric[String(f.id)];
    var c = cc && choroCounts[cc];
    var box = el('div');
    var name = (cc && nameOfCc[cc]) || (f.properties && f.properties.name) || '';
    box.appendChild(el('strong', null, name));
    var text = 'nothing seen';
    if (c) {
      text = plural(c.events, 'event', 'events') + (hasSsh ? ', ' + plural(c.failures, 'failed login', 'failed logins') : '') +
        ' from ' + plural(c.ips, 'address', 'addresses');
    }
    box.appendChild(el('div', null, text));
    return box;
  }
  function refreshChoropleth() {
    countCountries();
    if (map.hasLayer(choroLayer)) choroLayer.setStyle(choroStyle);
    updateLegend();
  }
  choroLayer.on('add', refreshChoropleth);
  choroLayer.on('remove', updateLegend);

  // ---------------------------------------------------------------- popups

  var SAME_PLACE_SHOWN = 8;
  var popup = L.popup({ maxWidth: 360, autoPanPadding: L.point(20, 20) });

  function openPopup(marker) {
    if (!marker || marker.logmapIndex === undefined) return;
    popup.setLatLng(marker.getLatLng()).setContent(popupContent(marker.logmapIndex)).openOn(map);
  }

  function popupContent(i) {
    var ip = ipText(i);
    var box = el('div', 'pop');
    var h = el('h3', null, ip + ' ');
    var o = outcome(i);
    h.appendChild(el('span', 'badge ' + o, o === 'success' ? 'login succeeded' : o === 'failed' ? 'failed logins' : 'seen'));
    box.appendChild(h);

    var cc = str1(ccI[i]);
    var where = [str1(cityI[i]), (cc && nameOfCc[cc]) || cc].filter(Boolean).join(', ');
    box.appendChild(el('p', 'where', where || 'unknown location'));
    // how precise the marker's position is
    var precision = acc[i] === 2 ? 'Position: city (as the geolocation data places it)'
      : acc[i] === 1 ? 'Position: country only (drawn at the country\'s centre)'
      : located(i) ? 'Position: precision unknown' : 'Position: unknown (not on the map)';
    box.appendChild(el('p', 'small precision', precision));
    var asn = asnOf[i];
    var org = str1(orgI[i]);
    if (asn || org) box.appendChild(el('p', 'where', (asn ? 'AS' + asn + ' ' : '') + (org || '')));

    var table = el('table');
    function row(label, n) {
      var tr = el('tr');
      tr.appendChild(el('td', null, label));
      tr.appendChild(el('td', 'n', fmt(n)));
      table.appendChild(tr);
    }
    row('events', ev[i]);
    if (hasSsh) {
      row('failed logins', fl[i]);
      row('successful logins', sc[i]);
    }
    var kinds = kindsOf(i);
    for (var k = 0; k + 1 < kinds.length; k += 2) row('· ' + (str(kinds[k]) || '?').replace(/_/g, ' '), kinds[k + 1]);
    box.appendChild(table);

    var users = usersOf(i);
    if (users.length) {
      var u = el('div', 'users');
      u.appendChild(el('span', 'muted', 'users: '));
      for (var j = 0; j + 1 < users.length; j += 2) {
        if (j) u.appendChild(document.createTextNode(', '));
        u.appendChild(el('code', null, str(users[j]) === null ? '?' : str(users[j])));
        u.appendChild(document.createTextNode(' ×' + fmt(users[j + 1])));
      }
      if (usersMore(i) > 0) u.appendChild(el('span', 'muted', ' and ' + fmt(usersMore(i)) + ' more'));
      box.appendChild(u);
    }
    var f = first(i), l = last(i);
    box.appendChild(el('p', 'small', 'first ' + fmtTime(f === null ? null : t0 + f)));
    box.appendChild(el('p', 'small', 'last ' + fmtTime(l === null ? null : t0 + l)));

    var links = el('div', 'links');
    var q = encodeURIComponent(ip);
    [['Shodan', 'https://www.shodan.io/host/' + q],
     ['AbuseIPDB', 'https://www.abuseipdb.com/check/' + q],
     ['ipinfo', 'https://ipinfo.io/' + q],
     ['whois', 'https://www.whois.com/whois/' + q]].forEach(function (x) {
      var a = el('a', null, x[0]);
      a.href = x[1];
      a.target = '_blank';
      a.rel = 'noopener noreferrer';
      links.appendChild(a);
    });
    box.appendChild(links);

    var others = samePlaceAs(i);
    if (others.length) {
      var near = el('div', 'same-place');
      near.appendChild(el('p', 'small muted', plural(others.length, 'other address', 'other addresses') + ' drawn at this point:'));
      var list = el('ul');
      others.slice(0, SAME_PLACE_SHOWN).forEach(function (j) {
        var li = el('li');
        var b = el('button', 'ip mono', ipText(j));
        b.type = 'button';
        b.setAttribute('data-ip', ipText(j));
        b.addEventListener('click', function () { popup.setContent(popupContent(j)); });
        li.appendChild(b);
        li.appendChild(el('span', 'muted', ' ' + plural(ev[j], 'event', 'events') + (sc[j] > 0 ? ', login succeeded' : '')));
        list.appendChild(li);
      });
      near.appendChild(list);
      if (others.length > SAME_PLACE_SHOWN) {
        near.appendChild(el('p', 'small muted', 'and ' + fmt(others.length - SAME_PLACE_SHOWN) + ' more (see the top lists)'));
      }
      box.appendChild(near);
    }
    return box;
  }

  // ---------------------------------------------------------------- controls

  var overlays = {
    'Markers': markersLayer,
    'Clusters': clusterLayer,
    'Heat map': heatControl,
    'Countries (choropleth)': choroLayer
  };
  L.control.layers(baseLayers, overlays, { collapsed: false, position: 'topright' }).addTo(map);
  L.control.scale({ position: 'bottomleft', imperial: false }).addTo(map);

  var legend = L.control({ position: 'bottomleft' });
  var legendBox;
  legend.onAdd = function () {
    legendBox = el('div', 'legend');
    return legendBox;
  };
  legend.addTo(map);
  function updateLegend() {
    if (!legendBox) return;
    legendBox.textContent = '';
    [['success', 'successful login'], ['failed', 'failed logins'], ['other', 'other activity']].forEach(function (x) {
      var line = el('div');
      line.appendChild(el('span', 'dot ' + x[0]));
      line.appendChild(document.createTextNode(x[1]));
      legendBox.appendChild(line);
    });
    legendBox.appendChild(el('div', 'muted', 'size: events (log scale)'));
    if (map.hasLayer(clusterLayer)) {
      legendBox.appendChild(el('div', null, 'clusters: share of addresses with failed logins'));
      var shares = el('div', 'ramp');
      for (var k = 0; k <= 10; k++) shares.appendChild(el('span', 'f' + k));
      legendBox.appendChild(shares);
      var ends = el('div', 'ramp-labels');
      ends.appendChild(el('span', null, '0%'));
      ends.appendChild(el('span', null, '100%'));
      legendBox.appendChild(ends);
      var ring = el('div');
      ring.appendChild(el('span', 'dot ring'));
      ring.appendChild(document.createTextNode('green ring: a successful login inside'));
      legendBox.appendChild(ring);
    }
    if (map.hasLayer(choroLayer) && choroMax > 0) {
      legendBox.appendChild(el('div', null, 'events per country'));
      var ramp = el('div', 'ramp');
      RAMP.forEach(function (c) {
        var s = el('span');
        s.style.background = c;
        ramp.appendChild(s);
      });
      legendBox.appendChild(ramp);
      var labels = el('div', 'ramp-labels');
      labels.appendChild(el('span', null, '1'));
      labels.appendChild(el('span', null, fmt(choroMax)));
      legendBox.appendChild(labels);
    }
  }

  // ---------------------------------------------------------------- panel

  // Index of the kind `blocked` in the string table (per-address kinds refer to it).
  function blockedOf(i) {
    var blockedId = sid('blocked');
    var k = kindsOf(i);
    for (var j = 0; j + 1 < k.length; j += 2) if (k[j] === blockedId) return Number(k[j + 1]) || 0;
    return 0;
  }

  function renderTotals() {
    var ips = 0, events = 0, failures = 0, successes = 0, blocked = 0, drawn = 0, seenCc = {};
    var countries = 0;
    for (var i = 0; i < N; i++) {
      if (!selected(i)) continue;
      ips++;
      events += ev[i];
      failures += fl[i];
      successes += sc[i];
      if (hasFirewall) blocked += blockedOf(i);
      if (located(i)) drawn++;
      var cc = str1(ccI[i]);
      if (cc && !seenCc[cc]) { seenCc[cc] = true; countries++; }
    }
    if (!filtering()) {
      // The summary counts the whole data set; the columns may have been cut.
      if (typeof summary.unique_ips === 'number') ips = summary.unique_ips;
      if (typeof summary.countries === 'number') countries = summary.countries;
      if (typeof summary.events === 'number') events = summary.events;
      if (typeof summary.failures === 'number') failures = summary.failures;
      if (typeof summary.successes === 'number') successes = summary.successes;
      if (kindTotals) blocked = kindTotal('blocked');
    }
    byId('t-ips').textContent = fmt(ips);
    byId('t-countries').textContent = fmt(countries);
    byId('t-events').textContent = fmt(events);
    byId('t-failures').textContent = fmt(failures);
    byId('t-failures').parentNode.classList.toggle('loud', failures > 0);
    byId('t-successes').textContent = fmt(successes);
    byId('t-successes').parentNode.classList.toggle('loud', successes > 0);
    byId('t-blocked').textContent = fmt(blocked);
    var notes = [];
    if (filtering()) notes.push('Filtered view.');
    var unplaced = ips - drawn;
    if (unplaced > 0) notes.push(plural(unplaced, 'address has', 'addresses have') + ' no known location: counted, not drawn.');
    if (summary.private_ips > 0) notes.push(plural(summary.private_ips, 'private address', 'private addresses') + ' left off the map.');
    byId('t-note').textContent = notes.join(' ');
  }

  function renderWindows() {
    var body = byId('windows').tBodies[0];
    body.textContent = '';
    var rows = Array.isArray(meta.windows) ? meta.windows : [];
    rows.forEach(function (w) {
      if (!w || typeof w !== 'object') return;
      var tr = el('tr');
      tr.appendChild(el('td', null, 'last ' + (w.label || '?')));
      tr.appendChild(el('td', null, fmt(w.ips)));
      tr.appendChild(el('td', null, fmt(w.countries)));
      // Under an address selection (--country …) a window's events are those of every
      // address: only its addresses and countries are the selection's.
      var whole = !!meta.selection;
      var hint = 'not counted per address: see the totals for the selected addresses';
      tr.appendChild(whole ? el('td', 'muted', '–') : el('td', null, fmt(w.events)));
      if (hasSsh) tr.appendChild(whole ? el('td', 'muted', '–') : el('td', null, fmt(w.failures)));
      if (whole) tr.title = hint;
      body.appendChild(tr);
    });
    if (!rows.length) {
      var tr = el('tr');
      var td = el('td', 'muted', 'no timestamps in the data');
      td.colSpan = hasSsh ? 5 : 4;
      tr.appendChild(td);
      body.appendChild(tr);
    }
  }

  function renderHeader() {
    var f = parseTime(summary.first_seen), l = parseTime(summary.last_seen);
    var text = 'no timestamps';
    if (f !== null && l !== null) {
      var days = (l - f) / 86400;
      var span = days >= 2 ? Math.round(days) + ' days' : Math.max(1, Math.round(days * 24)) + ' hours';
      text = fmtTime(f) + ' → ' + fmtTime(l) + ' (' + span + ')';
    }
    byId('span').textContent = text;
    var sources = Array.isArray(meta.sources) ? meta.sources : [];
    var ul = byId('sources');
    ul.textContent = '';
    sources.forEach(function (s) {
      if (!s || typeof s !== 'object') return;
      var bits = [];
      if (s.format) bits.push(String(s.format));
      if (typeof s.lines === 'number') bits.push(plural(s.lines, 'line', 'lines'));
      ul.appendChild(el('li', null, String(s.path === undefined ? '?' : s.path) + (bits.length ? ' — ' + bits.join(', ') : '')));
    });
    if (!sources.length) ul.appendChild(el('li', 'muted', 'not recorded'));
    var gen = typeof meta.generator === 'string' ? meta.generator : 'logmap';
    var geo = meta.geo && Array.isArray(meta.geo.databases) ? meta.geo.databases.join('; ') : '';
    byId('generated').textContent = 'Generated by ' + gen + (geo ? '. Geolocation: ' + geo : '') + '.';
  }

  // Top lists: rows are DOM nodes with textContent only; a click selects or zooms.
  function fillList(id, rows, render) {
    var ol = byId(id);
    ol.textContent = '';
    if (!rows.length) {
      ol.appendChild(el('li', 'empty', 'none'));
      return;
    }
    var topCount = rows[0].count || 1;
    rows.forEach(function (r) {
      var li = el('li');
      li.tabIndex = 0;
      li.appendChild(el('span', 'name' + (r.mono ? ' mono' : ''), r.name));
      var meter = el('span', 'meter');
      var bar = el('span');
      bar.style.width = Math.max(2, Math.round((100 * r.count) / topCount)) + '%';
      meter.appendChild(bar);
      li.appendChild(meter);
      li.appendChild(el('span', 'num', fmt(r.count)));
      li.title = r.title || r.name;
      li.logmapRow = r;
      function go() { render(r, li); }
      li.addEventListener('click', go);
      li.addEventListener('keydown', function (e) { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); go(); } });
      ol.appendChild(li);
    });
  }

  var TOP = 10;
  function renderTopLists() {
    fillList('top-countries', countryRows.filter(function (r) { return r && typeof r.country === 'string'; })
      .slice().sort(function (a, b) { return (b.events || 0) - (a.events || 0); }).slice(0, TOP)
      .map(function (r) {
        return { key: r.country, name: countryLabel(r.country), count: Number(r.events) || 0,
          title: plural(Number(r.ips) || 0, 'address', 'addresses') };
      }),
      function (r) { toggleFacet({ type: 'country', value: r.key, label: 'Country: ' + r.name }); });

    var asns = Array.isArray(meta.asns) ? meta.asns : [];
    fillList('top-asns', asns.filter(function (r) { return r && typeof r.asn === 'number'; }).slice(0, TOP).map(function (r) {
      return { key: r.asn, name: 'AS' + r.asn + ' ' + (typeof r.as_org === 'string' ? r.as_org : ''), count: Number(r.events) || 0 };
    }), function (r) { toggleFacet({ type: 'asn', value: r.key, label: 'Network: ' + r.name }); });

    // the ten with most events, in one pass (no sort of a million)
    var ips = [];
    for (var i = 0; i < N; i++) {
      if (ips.length === TOP && ev[i] <= ev[ips[TOP - 1]]) continue;
      var at = ips.length;
      while (at > 0 && ev[ips[at - 1]] < ev[i]) at--;
      ips.splice(at, 0, i);
      if (ips.length > TOP) ips.pop();
    }
    fillList('top-ips', ips.map(function (i) {
      return { key: i, name: ipText(i), count: ev[i], mono: true };
    }), function (r) { zoomToAddress(r.key); });

    var users = Array.isArray(meta.users) ? meta.users : [];
    fillList('top-users', users.filter(function (r) { return r && typeof r.user === 'string'; }).slice(0, TOP).map(function (r) {
      return { key: r.user, name: r.user, count: Number(r.attempts) || 0, mono: true,
        title: plural(Number(r.ips) || 0, 'address', 'addresses') };
    }), function (r) { toggleFacet({ type: 'user', value: r.key, label: 'User name: ' + r.key }); });
  }

  function markActiveRows() {
    ['top-countries', 'top-asns', 'top-users'].forEach(function (id) {
      var items = byId(id).children;
      for (var k = 0; k < items.length; k++) {
        var r = items[k].logmapRow;
        items[k].classList.toggle('active', !!(r && state.facet && state.facet.value === r.key &&
          ((id === 'top-countries' && state.facet.type === 'country') ||
           (id === 'top-asns' && state.facet.type === 'asn') ||
           (id === 'top-users' && state.facet.type === 'user'))));
      }
    });
  }

  function toggleFacet(f) {
    if (state.facet && state.facet.type === f.type && state.facet.value === f.value) setFacet(null);
    else setFacet(f);
  }
  function setFacet(f) {
    state.facet = f;
    facetId = f && (f.type === 'country' || f.type === 'user') ? sid(String(f.value)) : -1;
    byId('filter').hidden = !f;
    byId('filter-text').textContent = f ? f.label : '';
    markActiveRows();
    applyFilter();
    if (f) zoomToSelection(f);
  }
  byId('filter-clear').addEventListener('click', function () { setFacet(null); });

  function zoomToSelection(f) {
    var bounds = null;
    if (f.type === 'country' && numericOf[f.value] && featureById[numericOf[f.value]]) {
      bounds = L.geoJSON(featureById[numericOf[f.value]]).getBounds();
      // Countries across the antimeridian (Russia, Fiji, the US) would span the world.
      if (bounds.getEast() - bounds.getWest() > 300) bounds = null;
    }
    if (!bounds) {
      var pts = [];
      for (var s = 0; s < siteN; s++) pts.push([siteLat[s], siteLon[s]]);
      if (pts.length) bounds = L.latLngBounds(pts);
    }
    if (bounds && bounds.isValid()) map.fitBounds(bounds.pad(0.15), { maxZoom: 6 });
  }

  function zoomToAddress(i) {
    if (!located(i)) {
      popup.setLatLng(map.getCenter()).setContent(popupContent(i)).openOn(map);
      return;
    }
    map.setView([lat(i), lon(i)], Math.max(map.getZoom(), 8));
    popup.setLatLng([lat(i), lon(i)]).setContent(popupContent(i)).openOn(map);
  }

  // ---------------------------------------------------------------- time filter

  var SVGNS = 'http://www.w3.org/2000/svg';
  var series = [];
  var shadeLeft, shadeRight;

  function renderHistogram() {
    var box = byId('histogram');
    box.textContent = '';
    box.hidden = false;
    shadeLeft = shadeRight = null;
    if (!slots || !series.length) {
      box.hidden = true;
      return;
    }
    var W = 300, H = 56;
    var start = slots.start, span = slots.seconds * slots.count;
    var bucket = Number(meta.timeline.bucket_seconds) || 3600;
    var svg = document.createElementNS(SVGNS, 'svg');
    svg.setAttribute('viewBox', '0 0 ' + W + ' ' + H);
    svg.setAttribute('preserveAspectRatio', 'none');
    var top = 1;
    series.forEach(function (p) { if (Array.isArray(p)) top = Math.max(top, Number(p[1]) || 0); });
    var bw = Math.max(0.6, (W * bucket) / span);
    series.forEach(function (p) {
      if (!Array.isArray(p)) return;
      var x = (W * (Number(p[0]) - start)) / span;
      var hEv = (H * Math.sqrt(Number(p[1]) || 0)) / Math.sqrt(top);
      var hFl = (H * Math.sqrt(Number(p[2]) || 0)) / Math.sqrt(top);
      [[hEv, 'bar'], [Math.min(hEv, hFl), 'bar failed']].forEach(function (b) {
        if (b[0] <= 0) return;
        var r = document.createElementNS(SVGNS, 'rect');
        r.setAttribute('x', x.toFixed(2));
        r.setAttribute('y', (H - b[0]).toFixed(2));
        r.setAttribute('width', bw.toFixed(2));
        r.setAttribute('height', b[0].toFixed(2));
        r.setAttribute('class', b[1]);
        svg.appendChild(r);
      });
    });
    shadeLeft = document.createElementNS(SVGNS, 'rect');
    shadeRight = document.createElementNS(SVGNS, 'rect');
    [shadeLeft, shadeRight].forEach(function (r) {
      r.setAttribute('class', 'shade');
      r.setAttribute('y', '0');
      r.setAttribute('height', String(H));
      r.setAttribute('width', '0');
      svg.appendChild(r);
    });
    box.appendChild(svg);
  }

  function renderRange() {
    var from = byId('range-from'), to = byId('range-to');
    if (!slots) {
      from.disabled = to.disabled = true;
      byId('range-label').textContent = 'No timestamps: the time filter is off.';
      return;
    }
    from.disabled = to.disabled = false;
    from.max = to.max = String(slots.count - 1);
    from.value = String(state.from);
    to.value = String(state.to);
    updateRangeLabel();
    if (from.logmapWired) return;
    from.logmapWired = true;
    function onInput(e) {
      var a = Number(from.value), b = Number(to.value);
      if (a > b) {
        if (e && e.target === from) to.value = String(a);
        else from.value = String(b);
      }
      setRange(Number(from.value), Number(to.value));
    }
    from.addEventListener('input', onInput);
    to.addEventListener('input', onInput);
  }

  function updateRangeLabel() {
    if (!slots) return;
    var a = slots.start + state.from * slots.seconds;
    var b = slots.start + (state.to + 1) * slots.seconds;
    var events = 0;
    series.forEach(function (p) {
      if (Array.isArray(p) && p[0] >= a && p[0] < b) events += Number(p[1]) || 0;
    });
    var all = state.from === 0 && state.to === slots.count - 1;
    byId('range-label').textContent = fmtTime(a) + ' → ' + fmtTime(b) + ': ' + plural(events, 'event', 'events') +
      (all ? ' (all)' : ' in range');
    if (shadeLeft) {
      var W = 300;
      shadeLeft.setAttribute('x', '0');
      shadeLeft.setAttribute('width', ((W * state.from) / slots.count).toFixed(2));
      shadeRight.setAttribute('x', ((W * (state.to + 1)) / slots.count).toFixed(2));
      shadeRight.setAttribute('width', ((W * (slots.count - state.to - 1)) / slots.count).toFixed(2));
    }
  }

  var rangeTimer = null;
  function setRange(a, b) {
    if (!slots) return;
    state.from = Math.max(0, Math.min(a, slots.count - 1));
    state.to = Math.max(state.from, Math.min(b, slots.count - 1));
    byId('range-from').value = String(state.from);
    byId('range-to').value = String(state.to);
    setRangeMasks();
    updateRangeLabel();
    // Sliders fire many events; redraw once they settle.
    clearTimeout(rangeTimer);
    rangeTimer = setTimeout(applyFilter, 120);
  }

  // ---------------------------------------------------------------- apply

  function applyFilter() {
    clearTimeout(rangeTimer);
    map.closePopup();
    readyFlag = false;
    document.documentElement.removeAttribute('data-ready');
    buildSelection();
    dirty.markers = dirty.clusters = dirty.heat = true;
    [markersLayer, clusterLayer, heatLayer].forEach(function (l) { if (map.hasLayer(l)) refresh(l); });
    refreshChoropleth();
    renderTotals();
    updateNote();
    renderStats();
    signalReady();
  }

  function signalReady() {
    readyFlag = true;
    document.documentElement.setAttribute('data-ready', 'true');
  }

  function updateNote() {
    var box = byId('draw-note');
    if (!box) return;
    box.textContent = markersCapped && map.hasLayer(markersLayer)
      ? 'Markers: the ' + fmt(markersShown) + ' loudest addresses in view (of ' + fmt(selCount) +
        '); zoom in for the others, or use the clusters.'
      : '';
  }

  // ---------------------------------------------------------------- first view

  // The first view frames the data: every located address and, when they all lie in one
  // country, the parts of that country's outline that hold them (not its far islands or
  // overseas territories), so a one-country log opens on the whole country. A spread smaller
  // than MIN_SPAN degrees (one city) is widened to it, so the view keeps its surroundings.
  var MIN_SPAN = 6;
  function initialBounds() {
    if (!siteN) return null;
    var s0 = Infinity, w0 = Infinity, n0 = -Infinity, e0 = -Infinity;
    for (var s = 0; s < siteN; s++) {
      s0 = Math.min(s0, siteLat[s]); n0 = Math.max(n0, siteLat[s]);
      w0 = Math.min(w0, siteLon[s]); e0 = Math.max(e0, siteLon[s]);
    }
    var b = L.latLngBounds([s0, w0], [n0, e0]);
    var only = null, many = false;
    for (var k = 0; k < selCount && !many; k++) {
      var c = ccI[sel[k]];
      if (!c) continue;
      if (only === null) only = c;
      else if (c !== only) many = true;
    }
    var cc = !many && only !== null ? str1(only) : null;
    var f = cc && numericOf[cc] && featureById[numericOf[cc]];
    if (f && f.geometry) {
      var polys = f.geometry.type === 'Polygon' ? [f.geometry.coordinates]
        : f.geometry.type === 'MultiPolygon' ? f.geometry.coordinates : [];
      polys.forEach(function (p) {
        var pb = L.geoJSON({ type: 'Polygon', coordinates: p }).getBounds();
        // a part across the antimeridian would span the world
        if (!pb.isValid() || pb.getEast() - pb.getWest() > 300) return;
        for (var q = 0; q < siteN; q++) {
          if (pb.contains([siteLat[q], siteLon[q]])) { b.extend(pb); return; }
        }
      });
    }
    var ctr = b.getCenter();
    var h = Math.max(b.getNorth() - b.getSouth(), MIN_SPAN) / 2;
    var w = Math.max(b.getEast() - b.getWest(), MIN_SPAN) / 2;
    return L.latLngBounds([ctr.lat - h, ctr.lng - w], [ctr.lat + h, ctr.lng + w]);
  }

  // ---------------------------------------------------------------- start

  var prefersLight = window.matchMedia && window.matchMedia('(prefers-color-scheme: light)').matches;
  var startTheme = prefersLight ? 'light' : 'dark';
  setTheme(startTheme);
  map.addLayer(baseLayers[startTheme === 'light' ? 'Offline map, light' : 'Offline map, dark']);
  map.fitBounds(WORLD);

  byId('panel-toggle').addEventListener('click', function () {
    var hidden = document.body.classList.toggle('panel-hidden');
    this.setAttribute('aria-expanded', hidden ? 'false' : 'true');
    map.invalidateSize();
  });

  var startBounds = null;
  var started = false;

  // Live, the lists of the panel follow the addresses as they come (the server's summary is
  // read at the start and after a reset only).
  function liveLists() {
    var countries = tally(function (x) { return ccI[x] || null; });
    meta.countries = countries.map(function (c) {
      var cc = str1(c.key);
      var known = countryRows.filter(function (r) { return r && r.country === cc; })[0];
      return { country: cc, numeric: known ? known.numeric : numericOf[cc] || null, country_name: nameOfCc[cc] || null,
        ips: c.ips, events: c.events, failures: c.failures };
    });
    countryRows = meta.countries;
    meta.asns = tally(function (x) { return asnOf[x] || null; }).map(function (c) {
      return { asn: c.key, as_org: str1(orgI[c.any]), ips: c.ips, events: c.events, failures: c.failures };
    });
  }

  // Draws everything from the data read so far (again, live, after a reset).
  function render(fit) {
    if (LIVE && !filtering()) liveLists();
    [].forEach.call(document.querySelectorAll('.ssh'), function (e) { e.hidden = !hasSsh; });
    [].forEach.call(document.querySelectorAll('.firewall'), function (e) { e.hidden = !hasFirewall; });
    state.to = slots ? Math.min(Math.max(state.to, 0), slots.count - 1) : 0;
    if (!started) state.to = slots ? slots.count - 1 : 0;
    setRangeMasks();
    buildSelection();
    if (fit) {
      startBounds = initialBounds();
      if (startBounds) map.fitBounds(startBounds.pad(0.2), { maxZoom: 6 });
      else map.fitBounds(WORLD);
    }
    renderHeader();
    renderWindows();
    renderHistogram();
    renderRange();
    renderTopLists();
    renderTotals();
    countCountries();
    dirty.markers = dirty.clusters = dirty.heat = true;
    if (!started) {
      // Clusters by default above a few hundred points; plain markers below.
      map.addLayer(selCount > 300 ? clusterLayer : markersLayer);
      started = true;
    } else {
      [markersLayer, clusterLayer, heatLayer].forEach(function (l) { if (map.hasLayer(l)) refresh(l); });
      refreshChoropleth();
    }
    updateLegend();
    updateNote();
    renderSelects();
    renderStats();
    signalReady();
  }

  // A small read-only handle for the browser tests and for curious users in the console.
  window.__logmap = {
    map: map,
    layers: { markers: markersLayer, clusters: clusterLayer, heat: heatLayer, choropleth: choroLayer, base: baseLayers },
    ready: function () { return readyFlag; },
    get located() { var n = 0; for (var i = 0; i < N; i++) if (located(i)) n++; return n; },
    get total() { return N; },
    // the first view's bounds [south, west, north, east] (null: the whole world)
    get startBounds() {
      return startBounds && [startBounds.getSouth(), startBounds.getWest(), startBounds.getNorth(), startBounds.getEast()];
    },
    // Where an address is drawn, in page pixels (for clicking it).
    pointOf: function (ip) {
      var i = indexOfIp(ip);
      if (i < 0 || !located(i)) return null;
      var p = map.latLngToContainerPoint([lat(i), lon(i)]);
      var r = map.getContainer().getBoundingClientRect();
      return { x: p.x + r.left, y: p.y + r.top };
    },
    setRange: function (a, b) { setRange(a, b); },
    get slots() { return slots; },
    // The address drawn as marker `i` (markers carry their index as logmapIndex).
    ipOf: function (i) { return ipText(i); },
    // The addresses of a drawn cluster marker.
    clusterIps: function (m) { return m && m.logmapCluster ? clusterAddresses(m.logmapCluster).map(ipText) : []; },
    live: LIVE
  };

  // ---------------------------------------------------------------- selects

  var KIND_NAMES = {
    auth_failure: 'failed password', invalid_user: 'invalid user', policy_reject: 'refused by policy',
    too_many_failures: 'too many failures', auth_success: 'successful login', preauth_disconnect: 'left before login',
    scan: 'scan', other: 'other', request: 'web request', blocked: 'blocked', allowed: 'allowed', seen: 'seen'
  };
  function kindLabel(k) { return KIND_NAMES[k] || String(k).replace(/_/g, ' '); }

  function renderSelects() {
    var cs = byId('country-filter'), ks = byId('kind-filter');
    var keepC = state.facet && state.facet.type === 'country' ? state.facet.value : '';
    cs.textContent = '';
    cs.appendChild(el('option', null, 'all')).value = '';
    countryRows.filter(function (r) { return r && typeof r.country === 'string'; })
      .map(function (r) { return r.country; })
      .sort(function (a, b) { return countryLabel(a) < countryLabel(b) ? -1 : 1; })
      .forEach(function (cc) { var o = el('option', null, countryLabel(cc)); o.value = cc; cs.appendChild(o); });
    cs.value = keepC;
    ks.textContent = '';
    ks.appendChild(el('option', null, 'all')).value = '';
    Object.keys(kindTotals || {}).filter(function (k) { return kindTotal(k) > 0; }).forEach(function (k) {
      var o = el('option', null, kindLabel(k) + ' (' + fmt(kindTotal(k)) + ')');
      o.value = k;
      ks.appendChild(o);
    });
    ks.value = state.kind;
    if (cs.logmapWired) return;
    cs.logmapWired = true;
    cs.addEventListener('change', function () {
      var cc = cs.value;
      setFacet(cc ? { type: 'country', value: cc, label: 'Country: ' + countryLabel(cc) } : null);
    });
    ks.addEventListener('change', function () { setKind(ks.value); });
  }
  function setKind(k) {
    state.kind = k || '';
    kindId = state.kind ? sid(state.kind) : -1;
    byId('kind-filter').value = state.kind;
    applyFilter();
  }

  // ---------------------------------------------------------------- statistics page

  var view = 'map';
  function showView(v) {
    view = v;
    byId('stats').hidden = v !== 'stats';
    byId('tab-map').classList.toggle('active', v === 'map');
    byId('tab-stats').classList.toggle('active', v === 'stats');
    byId('tab-map').setAttribute('aria-pressed', String(v === 'map'));
    byId('tab-stats').setAttribute('aria-pressed', String(v === 'stats'));
    if (v === 'stats') renderStats();
    else map.invalidateSize();
  }
  byId('tab-map').addEventListener('click', function () { showView('map'); });
  byId('tab-stats').addEventListener('click', function () { showView('stats'); });

  function table(id, head, rows, onRow) {
    var t = byId(id);
    t.textContent = '';
    var thead = el('thead'), tr = el('tr');
    head.forEach(function (h) { tr.appendChild(el('th', h[1] ? 'n' : null, h[0])); });
    thead.appendChild(tr);
    t.appendChild(thead);
    var body = el('tbody');
    if (!rows.length) {
      var empty = el('tr'), td = el('td', 'muted', 'none');
      td.colSpan = head.length;
      empty.appendChild(td);
      body.appendChild(empty);
    }
    rows.forEach(function (r) {
      var row = el('tr');
      r.cells.forEach(function (c, k) { row.appendChild(el('td', (head[k][1] ? 'n' : '') + (c.mono ? ' mono' : ''), c.text !== undefined ? c.text : c)); });
      if (onRow) {
        row.tabIndex = 0;
        row.className = 'clickable';
        var go = function () { onRow(r); };
        row.addEventListener('click', go);
        row.addEventListener('keydown', function (e) { if (e.key === 'Enter') go(); });
      }
      body.appendChild(row);
    });
    t.appendChild(body);
  }

  // Sums over the selected addresses (all of them, placed or not), by a key.
  function tally(keyOf) {
    var m = new Map();
    for (var i = 0; i < N; i++) {
      if (!selected(i)) continue;
      var k = keyOf(i);
      if (k === null || k === undefined) continue;
      var c = m.get(k);
      if (!c) { c = { key: k, ips: 0, events: 0, failures: 0, successes: 0, any: i }; m.set(k, c); }
      c.ips++;
      c.events += ev[i];
      c.failures += fl[i];
      c.successes += sc[i];
    }
    var list = [];
    m.forEach(function (v) { list.push(v); });
    list.sort(function (a, b) { return b.events - a.events || b.ips - a.ips; });
    return list;
  }

  function bars(id, points, opts) {
    // points: [[t, [v1, v2, …]]]; stacked, one colour class per value
    var box = byId(id);
    box.textContent = '';
    if (!points.length) {
      box.appendChild(el('p', 'muted small', 'no timestamps in the data'));
      return;
    }
    // drawn at the box's own width, so text keeps its shape
    var W = Math.max(200, box.clientWidth || 640), H = 150, pad = 20, head = 16;
    var svg = document.createElementNS(SVGNS, 'svg');
    svg.setAttribute('viewBox', '0 0 ' + W + ' ' + (H + pad + head));
    svg.setAttribute('width', String(W));
    svg.setAttribute('height', String(H + pad + head));
    var t1s = points[points.length - 1][0] + opts.bucket;
    // at least a day of hours or a week of days, so one bar is not the whole width
    var t0s = Math.min(points[0][0], t1s - (opts.bucket >= 86400 ? 7 : 24) * opts.bucket);
    var top = 1;
    points.forEach(function (p) { top = Math.max(top, p[1].reduce(function (a, b) { return a + b; }, 0)); });
    var bw = Math.max(1, (W * opts.bucket) / Math.max(1, t1s - t0s) - 1);
    points.forEach(function (p) {
      var x = (W * (p[0] - t0s)) / Math.max(1, t1s - t0s), y = H + head;
      p[1].forEach(function (v, k) {
        if (v <= 0) return;
        var h = Math.max(1, (H * v) / top);
        var r = document.createElementNS(SVGNS, 'rect');
        r.setAttribute('x', x.toFixed(2));
        r.setAttribute('y', (y - h).toFixed(2));
        r.setAttribute('width', bw.toFixed(2));
        r.setAttribute('height', h.toFixed(2));
        r.setAttribute('class', opts.classes[k]);
        var title = document.createElementNS(SVGNS, 'title');
        title.textContent = fmtTime(p[0]) + ': ' + fmt(v) + ' ' + opts.names[k];
        r.appendChild(title);
        svg.appendChild(r);
        y -= h;
      });
    });
    [[0, fmtTime(t0s)], [W, fmtTime(t1s)]].forEach(function (l, k) {
      var tx = document.createElementNS(SVGNS, 'text');
      tx.setAttribute('x', String(l[0]));
      tx.setAttribute('y', String(H + head + pad - 5));
      tx.setAttribute('text-anchor', k ? 'end' : 'start');
      tx.setAttribute('class', 'axis');
      tx.textContent = l[1];
      svg.appendChild(tx);
    });
    var mx = document.createElementNS(SVGNS, 'text');
    mx.setAttribute('x', '4');
    mx.setAttribute('y', '11');
    mx.setAttribute('class', 'axis');
    mx.textContent = 'max ' + fmt(top) + ' per ' + (opts.bucket >= 86400 ? 'day' : 'hour');
    svg.appendChild(mx);
    box.appendChild(svg);
  }

  var dailySeries = null; // live: /api/timeline?bucket=day

  function renderStats() {
    if (view !== 'stats') return;
    var scope = filtering() ? 'Selected: ' + [state.facet ? state.facet.label : null, state.kind ? 'Kind: ' + kindLabel(state.kind) : null,
      rangeLo !== -1 ? byId('range-label').textContent : null].filter(Boolean).join(' · ') : 'All data';
    if (LIVE && liveTotal > N) scope += ' — the ' + fmt(N) + ' addresses with most events of ' + fmt(liveTotal);
    byId('stats-scope').textContent = scope + '.';

    // Successful logins first and loud.
    var wins = [];
    for (var i = 0; i < N; i++) if (sc[i] > 0 && selected(i)) wins.push(i);
    wins.sort(function (a, b) { return (last(b) || 0) - (last(a) || 0); });
    byId('s-success-card').classList.toggle('loud', wins.length > 0);
    byId('s-success-count').textContent = wins.length ? '(' + fmt(wins.length) + ')' : '';
    table('s-success', [['address'], ['logins', 1], ['failed', 1], ['user names tried'], ['country'], ['network'], ['last seen']],
      wins.slice(0, 200).map(function (j) { return { i: j, cells: addressCells(j, true) }; }),
      function (r) { showAddress(r.i); });

    // Attempts over time by outcome: the timeline, hourly up to a week, daily above.
    var hourly = series.filter(Array.isArray);
    var span = hourly.length ? hourly[hourly.length - 1][0] - hourly[0][0] : 0;
    var bucket = span > 7 * 86400 ? 86400 : 3600;
    var byBucket = new Map();
    hourly.forEach(function (p) {
      var b = Math.floor(Number(p[0]) / bucket) * bucket;
      var e = byBucket.get(b) || [0, 0, 0];
      e[0] += Number(p[1]) || 0;
      e[1] += Number(p[2]) || 0;
      e[2] += Number(p[3]) || 0;
      byBucket.set(b, e);
    });
    var pts = [];
    byBucket.forEach(function (e, b) { pts.push([b, [e[1], e[2], Math.max(0, e[0] - e[1] - e[2])]]); });
    pts.sort(function (a, b) { return a[0] - b[0]; });
    byId('s-outcomes-unit').textContent = 'by outcome, per ' + (bucket >= 86400 ? 'day' : 'hour') + ' (whole log)';
    bars('s-outcomes', pts, { bucket: bucket, classes: ['failed', 'success', 'other'], names: ['failed logins', 'successful logins', 'other events'] });

    // New addresses per day, from the selected addresses' first sighting.
    var perDay = new Map();
    for (var j = 0; j < N; j++) {
      if (!selected(j) || first(j) === null) continue;
      var d = Math.floor((t0 + first(j)) / 86400) * 86400;
      perDay.set(d, (perDay.get(d) || 0) + 1);
    }
    var days = [];
    perDay.forEach(function (n, d) { days.push([d, [n]]); });
    days.sort(function (a, b) { return a[0] - b[0]; });
    bars('s-new', days, { bucket: 86400, classes: ['new'], names: ['new addresses'] });

    // Events by kind over the selection.
    var kinds = new Map();
    for (var q = 0; q < N; q++) {
      if (!selected(q)) continue;
      var k = kindsOf(q);
      for (var z = 0; z + 1 < k.length; z += 2) kinds.set(k[z], (kinds.get(k[z]) || 0) + k[z + 1]);
    }
    var klist = [];
    kinds.forEach(function (n, id) { klist.push({ key: str(id), name: kindLabel(str(id)), count: n }); });
    klist.sort(function (a, b) { return b.count - a.count; });
    fillList('s-kinds', klist, function (r) { setKind(state.kind === r.key ? '' : r.key); });

    var countries = tally(function (x) { return ccI[x] || null; }).slice(0, 15);
    table('s-countries', [['country'], ['addresses', 1], ['events', 1], ['failed logins', 1]],
      countries.map(function (c) {
        var cc = str1(c.key);
        return { cc: cc, cells: [countryLabel(cc), fmt(c.ips), fmt(c.events), fmt(c.failures)] };
      }),
      function (r) { toggleFacet({ type: 'country', value: r.cc, label: 'Country: ' + countryLabel(r.cc) }); });

    var asns = tally(function (x) { return asnOf[x] || null; }).slice(0, 15);
    table('s-asns', [['network'], ['addresses', 1], ['events', 1], ['failed logins', 1]],
      asns.map(function (c) {
        var org = str1(orgI[c.any]);
        return { asn: c.key, name: 'AS' + c.key + (org ? ' ' + org : ''), cells: ['AS' + c.key + (org ? ' ' + org : ''), fmt(c.ips), fmt(c.events), fmt(c.failures)] };
      }),
      function (r) { toggleFacet({ type: 'asn', value: r.asn, label: 'Network: ' + r.name }); });

    // User names: the whole log's list when nothing is selected, else summed over the
    // selected addresses (their ten most tried names each).
    var users = [];
    if (!filtering() && Array.isArray(meta.users) && meta.users.length) {
      users = meta.users.filter(function (r) { return r && typeof r.user === 'string'; }).slice(0, 15)
        .map(function (r) { return { user: r.user, attempts: Number(r.attempts) || 0, ips: Number(r.ips) || 0 }; });
    } else {
      var um2 = new Map();
      for (var a = 0; a < N; a++) {
        if (!selected(a)) continue;
        var u = usersOf(a);
        for (var b2 = 0; b2 + 1 < u.length; b2 += 2) {
          var e2 = um2.get(u[b2]) || { attempts: 0, ips: 0 };
          e2.attempts += u[b2 + 1];
          e2.ips++;
          um2.set(u[b2], e2);
        }
      }
      um2.forEach(function (v, id) { users.push({ user: str(id), attempts: v.attempts, ips: v.ips }); });
      users.sort(function (x, y) { return y.attempts - x.attempts; });
      users = users.slice(0, 15);
    }
    table('s-users', [['user name'], ['attempts', 1], ['addresses', 1]],
      users.map(function (r) { return { user: r.user, cells: [{ text: r.user === null ? '?' : r.user, mono: true }, fmt(r.attempts), fmt(r.ips)] }; }),
      function (r) { toggleFacet({ type: 'user', value: r.user, label: 'User name: ' + r.user }); });

    var top = [];
    for (var c2 = 0; c2 < N; c2++) {
      if (!selected(c2)) continue;
      if (top.length === 15 && ev[c2] <= ev[top[14]]) continue;
      var at = top.length;
      while (at > 0 && ev[top[at - 1]] < ev[c2]) at--;
      top.splice(at, 0, c2);
      if (top.length > 15) top.pop();
    }
    table('s-ips', [['address'], ['events', 1], ['failed', 1], ['user names tried'], ['country'], ['network'], ['last seen']],
      top.map(function (j2) { return { i: j2, cells: addressCells(j2, false) }; }),
      function (r) { showAddress(r.i); });
  }

  function addressCells(i, success) {
    var u = usersOf(i), names = [];
    for (var k = 0; k + 1 < u.length && names.length < 4; k += 2) names.push(str(u[k]) === null ? '?' : str(u[k]));
    var cc = str1(ccI[i]);
    var org = str1(orgI[i]);
    var l = last(i);
    return [{ text: ipText(i), mono: true }, fmt(success ? sc[i] : ev[i]), fmt(fl[i]), { text: names.join(', '), mono: true },
      cc ? countryLabel(cc) : '—', asnOf[i] ? 'AS' + asnOf[i] + (org ? ' ' + org : '') : '—', fmtTime(l === null ? null : t0 + l)];
  }
  function showAddress(i) {
    showView('map');
    zoomToAddress(i);
  }

  // ---------------------------------------------------------------- live

  var liveTotal = 0, timelineAt = 0;
  var LIVE_LIMIT = 100000;
  var stream = null, lastHeard = null, connected = false, retry = null, liveTimer = null, pending = false, loading = false;
  var highlightLayer = L.layerGroup().addTo(map);
  var HIGHLIGHT_MS = 15000;

  function api(path) {
    return fetch(path, { credentials: 'same-origin', cache: 'no-store' }).then(function (r) {
      if (!r.ok) throw new Error(path + ': HTTP ' + r.status);
      heard();
      return r.json();
    });
  }
  function heard() {
    lastHeard = Date.now();
    showStatus();
  }
  function showStatus() {
    var p = byId('live-status');
    p.hidden = false;
    p.textContent = '';
    var dot = el('span', 'dot ' + (connected ? 'on' : 'off'));
    p.appendChild(dot);
    var ago = lastHeard === null ? null : Math.max(0, Math.round((Date.now() - lastHeard) / 1000));
    var when = lastHeard === null ? 'never' : fmtTime(lastHeard / 1000).replace(' UTC', ':' + String(new Date(lastHeard).getUTCSeconds()).padStart(2, '0') + ' UTC') +
      ' (' + (ago < 2 ? 'just now' : ago + ' s ago') + ')';
    p.appendChild(document.createTextNode(connected ? 'Live. Last heard from the server ' + when + '.'
      : 'Connection to the server lost; reconnecting… Last heard ' + when + '.'));
    p.classList.toggle('down', !connected);
  }

  // Slots over the data's span, as src/render/html.rs makes them.
  function slotsFor(f, l, bucket) {
    var start = Math.floor(f / bucket) * bucket;
    var buckets = Math.floor((l - start) / bucket) + 1;
    var per = Math.max(1, Math.ceil(buckets / 52));
    var seconds = per * bucket;
    var count = Math.floor((l - start) / seconds) + 1;
    return { start: start, seconds: seconds, count: Math.max(1, Math.min(52, count)) };
  }

  function loadLive(first) {
    if (loading) return;
    loading = true;
    Promise.all([api('/api/summary?top=1000'), api('/api/ips?sort=events&limit=' + LIVE_LIMIT), api('/api/timeline?bucket=hour')])
      .then(function (got) {
        var sum = got[0], ips = got[1], tl = got[2];
        // everything afresh
        N = 0; cap = 0; ipStr = []; ipIndex = new Map(); kOver = []; uOver = []; S = []; sIndex = null;
        numericOf = {}; ccOfNumeric = {};
        lat4 = null;
        setColumns({}, 0);
        ensure(Math.max(1024, (ips.ips || []).length));
        readMeta({
          generator: sum.generator, sources: sum.sources, geo: sum.geo, summary: sum.summary, windows: sum.windows,
          timeline: { bucket_seconds: 3600, series: Array.isArray(tl.series) ? tl.series : [] },
          countries: sum.countries, asns: sum.asns, users: sum.users
        });
        series = meta.timeline.series;
        var f = parseTime(summary.first_seen), l = parseTime(summary.last_seen);
        slots = f !== null && l !== null ? slotsFor(f, Math.max(f, l), 3600) : null;
        t0 = slots ? slots.start : 0;
        liveTotal = Number(ips.total) || 0;
        (Array.isArray(ips.ips) ? ips.ips : []).forEach(upsert);
        if (facetId >= 0 && state.facet) facetId = sid(String(state.facet.value));
        if (state.kind) kindId = sid(state.kind);
        loading = false;
        render(first);
        if (first) connect();
      })
      .catch(function (e) {
        loading = false;
        connected = false;
        showStatus();
        if (!lat4) { setColumns({}, 0); ensure(1); render(true); }
        fail('Cannot read the data from the server', e);
        clearTimeout(retry);
        retry = setTimeout(function () { loadLive(first); }, 5000);
      });
  }

  function connect() {
    if (stream) stream.close();
    stream = new EventSource('/api/stream');
    stream.onopen = function () { connected = true; heard(); };
    stream.onerror = function () {
      connected = false;
      showStatus();
      // The browser retries by itself unless the server refused; then we start a new one.
      if (stream.readyState === EventSource.CLOSED) {
        clearTimeout(retry);
        retry = setTimeout(connect, 3000);
      }
    };
    stream.addEventListener('batch', function (e) {
      connected = true;
      heard();
      var msg;
      try { msg = JSON.parse(e.data); } catch (err) { return; }
      if (!isObj(msg)) return;
      var fresh = [];
      (Array.isArray(msg.ips) ? msg.ips : []).forEach(function (rec) {
        var r = upsert(rec);
        if (r !== null && r >= 0) {
          fresh.push(r);
          liveTotal++;
        }
      });
      if (isObj(msg.summary)) takeTotals(msg.summary);
      fresh.forEach(arrived);
      schedule();
    });
    stream.addEventListener('totals', function (e) {
      heard();
      try { var m = JSON.parse(e.data); if (isObj(m) && isObj(m.summary)) takeTotals(m.summary); } catch (err) { return; }
      schedule();
    });
    stream.addEventListener('reset', function () {
      heard();
      loadLive(false);
    });
  }

  // The stream's totals (the headline: counts, first/last seen, windows).
  function takeTotals(t) {
    ['unique_ips', 'countries', 'events', 'failures', 'successes', 'private_ips', 'first_seen', 'last_seen'].forEach(function (k) {
      if (t[k] !== undefined) summary[k] = t[k];
    });
    if (Array.isArray(t.windows)) meta.windows = t.windows;
  }
  function arrived(i) {
    var list = byId('arrivals');
    list.hidden = false;
    var cc = str1(ccI[i]);
    var li = el('li', sc[i] > 0 ? 'success' : fl[i] > 0 ? 'failed' : null);
    li.appendChild(el('span', 'mono', ipText(i)));
    li.appendChild(document.createTextNode(' ' + (cc ? countryLabel(cc) : 'unknown place') + ' · ' + fmtTime(Date.now() / 1000)));
    li.addEventListener('click', function () { showAddress(i); });
    list.insertBefore(li, list.firstChild);
    while (list.children.length > 5) list.removeChild(list.lastChild);
    if (!located(i)) return;
    var ring = L.marker([lat(i), lon(i)], {
      icon: L.divIcon({ className: 'new-attacker', html: el('span'), iconSize: L.point(44, 44) }),
      interactive: false, keyboard: false, zIndexOffset: 2000
    });
    ring.logmapNew = ipText(i);
    highlightLayer.addLayer(ring);
    setTimeout(function () { highlightLayer.removeLayer(ring); }, HIGHLIGHT_MS);
  }

  // Redraw at most about once a second, however fast batches come.
  function schedule() {
    if (pending) return;
    pending = true;
    clearTimeout(liveTimer);
    liveTimer = setTimeout(function () {
      pending = false;
      render(false);
      // the timeline scans the history: at most every 10 seconds
      if (Date.now() - timelineAt < 10000) return;
      timelineAt = Date.now();
      api('/api/timeline?bucket=hour').then(function (tl) {
        if (Array.isArray(tl.series)) {
          meta.timeline.series = series = tl.series;
          renderHistogram();
          updateRangeLabel();
          renderStats();
        }
      }, function () { /* the status line says the rest */ });
    }, 600);
  }

  function startLive() {
    document.body.classList.add('live');
    showStatus();
    setInterval(function () {
      // a heartbeat: the stream is quiet when the log is
      if (connected) fetch('/healthz', { cache: 'no-store' }).then(function (r) { if (r.ok) heard(); }, function () { connected = false; showStatus(); });
      else showStatus();
    }, 5000);
    setInterval(showStatus, 1000);
    setColumns({}, 0);
    ensure(1024);
    loadLive(true);
  }

  // ---------------------------------------------------------------- the file's data

  function fail(what, e) {
    var box = byId('t-note');
    if (box) box.textContent = what + (e ? ': ' + String(e && e.message ? e.message : e) : '');
    signalReady();
  }

  function startFile() {
    readMeta(boot.meta);
    S = Array.isArray(boot.s) ? boot.s : [];
    if (isObj(boot.cn)) Object.keys(boot.cn).forEach(function (k) { if (typeof boot.cn[k] === 'string') nameOfCc[k] = boot.cn[k]; });
    t0 = Number(boot.t0) || 0;
    slots = isObj(boot.slots) && boot.slots.count > 0 ? boot.slots : null;
    series = isObj(meta.timeline) && Array.isArray(meta.timeline.series) ? meta.timeline.series : [];
    if (boot.v !== 2) {
      ensure(1);
      render(true);
      fail('This page was written by another version of logmap and its addresses cannot be read');
      return;
    }
    loadEmbedded(boot).then(function () { render(true); }, function (e) {
      ensure(1);
      render(true);
      fail('The addresses of this page cannot be decoded (a browser without DecompressionStream?)', e);
    });
  }

  if (LIVE) startLive();
  else startFile();
})();
