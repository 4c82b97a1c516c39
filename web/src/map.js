/*
 * logmap map page.
 *
 * Reads two JSON elements written by `src/render/html.rs` — the world basemap (world-atlas
 * TopoJSON) and the page document (columns of per-address data, see web/README.md) — and
 * draws the map with Leaflet: markers, clusters, heat map, country choropleth, a side panel
 * with totals, top lists and a time filter.
 *
 * Every string in the data came from a log and is attacker-controlled: it only ever reaches
 * the page through textContent, attribute properties, or Leaflet APIs given DOM nodes. No
 * data goes through innerHTML or an HTML string.
 */
(function () {
  'use strict';

  // ---------------------------------------------------------------- data

  function readJson(id) {
    var node = document.getElementById(id);
    try {
      return JSON.parse(node ? node.textContent : 'null') || {};
    } catch (e) {
      return {};
    }
  }

  var doc = readJson('logmap-data');
  var world = readJson('logmap-world');
  var meta = doc.meta || {};
  var S = Array.isArray(doc.s) ? doc.s : [];
  var C = doc.ips || {};
  var N = Array.isArray(C.ip) ? C.ip.length : 0;
  var t0 = Number(doc.t0) || 0;
  var slots = doc.slots && doc.slots.count > 0 ? doc.slots : null;
  var summary = meta.summary && typeof meta.summary === 'object' ? meta.summary : {};
  // Events per kind over the whole log (`summary.kinds`); absent in older documents.
  var kindTotals = summary.kinds && typeof summary.kinds === 'object' ? summary.kinds : null;
  function kindTotal(k) { return kindTotals ? Number(kindTotals[k]) || 0 : 0; }
  // The SSH numbers (failed and successful logins, user names) only where there are SSH
  // events, as in the terminal; a firewall log shows what it blocked instead.
  var SSH_KINDS = ['auth_failure', 'invalid_user', 'policy_reject', 'too_many_failures', 'auth_success',
    'preauth_disconnect', 'scan'];
  var hasSsh = !kindTotals || (Number(summary.failures) || 0) > 0 || (Number(summary.successes) || 0) > 0 ||
    SSH_KINDS.some(function (k) { return kindTotal(k) > 0; });
  var hasFirewall = kindTotal('blocked') + kindTotal('allowed') > 0;

  function col(name, fill) {
    var c = Array.isArray(C[name]) ? C[name] : [];
    return function (i) {
      var v = c[i];
      return v === undefined || v === null ? fill : v;
    };
  }
  var lat = col('lat', null), lon = col('lon', null);
  var ev = col('ev', 0), fl = col('fl', 0), sc = col('sc', 0);
  var first = col('f', null), last = col('l', null);
  var ccIdx = col('cc', -1), cnIdx = col('cn', -1), cityIdx = col('city', -1), orgIdx = col('org', -1);
  var asnOf = col('asn', 0), acc = col('acc', 0);
  var kindsOf = col('k', []), usersOf = col('u', []), usersMore = col('um', 0);

  function str(i) {
    return i >= 0 && i < S.length && typeof S[i] === 'string' ? S[i] : null;
  }
  function located(i) {
    return typeof lat(i) === 'number' && typeof lon(i) === 'number';
  }

  // Activity masks split in two 26-bit halves, so bit tests stay in 32-bit integers.
  var TWO26 = 67108864;
  var maskLo = new Int32Array(N), maskHi = new Int32Array(N);
  (function () {
    var m = Array.isArray(C.m) ? C.m : [];
    for (var i = 0; i < N; i++) {
      var v = Number(m[i]) || 0;
      maskLo[i] = v % TWO26;
      maskHi[i] = Math.floor(v / TWO26);
    }
  })();

  // cc → ISO numeric (world-atlas feature id) and cc → name, from the countries list.
  var countryRows = Array.isArray(meta.countries) ? meta.countries : [];
  var numericOf = {}, ccOfNumeric = {}, nameOfCc = {};
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

  // ---------------------------------------------------------------- helpers

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
    var t = typeof s === 'string' ? Date.parse(s) : NaN;
    return isNaN(t) ? null : t / 1000;
  }
  function outcome(i) {
    return sc(i) > 0 ? 'success' : fl(i) > 0 ? 'failed' : 'other';
  }
  function countryLabel(cc) {
    var name = nameOfCc[cc];
    return (name ? name + ' (' + cc + ')' : cc);
  }

  // ---------------------------------------------------------------- filters

  var state = {
    from: 0,
    to: slots ? slots.count - 1 : 0,
    facet: null // {type: 'country'|'asn'|'user', value, label}
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
      if (b < 26) rangeLo |= 1 << b;
      else rangeHi |= 1 << (b - 26);
    }
  }
  function inTime(i) {
    if (rangeLo === -1) return true;
    if (maskLo[i] === 0 && maskHi[i] === 0) return true; // no time known
    return (maskLo[i] & rangeLo) !== 0 || (maskHi[i] & rangeHi) !== 0;
  }
  function inFacet(i) {
    var f = state.facet;
    if (!f) return true;
    if (f.type === 'country') return str(ccIdx(i)) === f.value;
    if (f.type === 'asn') return asnOf(i) === f.value;
    if (f.type === 'user') {
      var u = usersOf(i);
      for (var k = 0; k < u.length; k += 2) if (str(u[k]) === f.value) return true;
      return false;
    }
    return true;
  }
  function selected(i) {
    return inTime(i) && inFacet(i);
  }
  function filtering() {
    return rangeLo !== -1 || state.facet !== null;
  }

  // ---------------------------------------------------------------- map

  var WORLD = L.latLngBounds([-85, -180], [85, 180]);
  var EDGE = 230; // how far east and west (degrees of longitude) the view may pan
  var map = L.map('map', {
    preferCanvas: true,
    worldCopyJump: false,
    maxBounds: L.latLngBounds([-88, -EDGE], [88, EDGE]),
    maxBoundsViscosity: 1.0,
    zoomSnap: 0.25,
    zoomDelta: 0.5,
    minZoom: 1,
    maxZoom: 13
  });
  map.attributionControl.setPrefix('<a href="https://leafletjs.com" target="_blank" rel="noopener noreferrer">Leaflet</a>');
  map.attributionControl.addAttribution('<a href="https://db-ip.com" target="_blank" rel="noopener noreferrer">IP Geolocation by DB-IP</a>');

  function fitMinZoom() {
    var w = map.getSize().x;
    var z = Math.max(1, Math.ceil((Math.log(w / 256) / Math.LN2) * 4) / 4);
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
    return 3 + 2.4 * (Math.log(1 + ev(i)) / Math.LN10);
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

  // Located addresses in drawing order: other, failed, success; large before small, so the
  // loud and the small ones stay on top.
  var RANK = { other: 0, failed: 1, success: 2 };
  var drawOrder = [];
  for (var i0 = 0; i0 < N; i0++) if (located(i0)) drawOrder.push(i0);
  drawOrder.sort(function (a, b) {
    return RANK[outcome(a)] - RANK[outcome(b)] || ev(b) - ev(a);
  });

  // Addresses drawn at the very same point. The embedded data places every address of a
  // country at one point, so a stack of markers is common; only the top one can be clicked,
  // and its popup lists the others (see popupContent).
  var samePlace = {};
  drawOrder.forEach(function (i) {
    var key = lat(i) + ',' + lon(i);
    (samePlace[key] || (samePlace[key] = [])).push(i);
  });
  function samePlaceAs(i) {
    if (!located(i)) return [];
    var list = samePlace[lat(i) + ',' + lon(i)] || [];
    return list.filter(function (j) { return j !== i && selected(j); })
      .sort(function (a, b) { return RANK[outcome(b)] - RANK[outcome(a)] || ev(b) - ev(a); });
  }

  function visibleIndices() {
    var out = [];
    for (var k = 0; k < drawOrder.length; k++) if (selected(drawOrder[k])) out.push(drawOrder[k]);
    return out;
  }

  // Each data layer is rebuilt from the current selection when it is shown, or when the
  // selection changes while it is shown.
  var markersLayer = L.featureGroup();
  var haloLayer = L.layerGroup();
  var markerOf = {};
  markersLayer.on('add', function () { refresh(markersLayer); map.addLayer(haloLayer); });
  markersLayer.on('remove', function () { map.removeLayer(haloLayer); });
  markersLayer.on('click', function (e) { openPopup(e.layer); });

  var clusterReady = true;
  var clusterLayer = L.markerClusterGroup({
    chunkedLoading: true,
    // Work in slices of 200 ms so the page stays responsive while 100,000 points cluster;
    // no clustering from zoom 9 on (points are spread enough there), which saves grid levels.
    chunkInterval: 200,
    chunkDelay: 1,
    disableClusteringAtZoom: 9,
    chunkProgress: function (done, total) {
      clusterReady = done >= total;
      if (clusterReady) signalReady();
    },
    showCoverageOnHover: false,
    maxClusterRadius: 50,
    spiderfyOnMaxZoom: true,
    removeOutsideVisibleBounds: true,
    iconCreateFunction: clusterIcon
  });
  var clusterOf = {};
  clusterLayer.on('add', function () { refresh(clusterLayer); updateLegend(); });
  clusterLayer.on('remove', function () { updateLegend(); });
  clusterLayer.on('click', function (e) { openPopup(e.layer); });

  // The colour step of a share of addresses with failed logins: 0 only when none failed, 10
  // only when all did, tenths between (map.css .cluster.f0 … .f10, grey to red).
  function shareStep(failed, total) {
    if (failed <= 0 || total <= 0) return 0;
    if (failed >= total) return 10;
    return Math.min(9, Math.max(1, Math.round((10 * failed) / total)));
  }
  function clusterIcon(cluster) {
    var kids = cluster.getAllChildMarkers();
    var failed = 0, success = 0;
    for (var k = 0; k < kids.length; k++) {
      var i = kids[k].logmapIndex;
      if (fl(i) > 0) failed++;
      if (sc(i) > 0) success++;
    }
    var n = cluster.getChildCount();
    var size = Math.round(28 + 9 * (Math.log(n) / Math.LN10));
    var cls = 'cluster f' + shareStep(failed, kids.length) + (success ? ' has-success' : '');
    var label = el('span', null, n >= 10000 ? Math.round(n / 1000) + 'k' : String(n));
    label.title = plural(n, 'address', 'addresses') + ', ' + fmt(failed) + ' with failed logins (' +
      Math.round((100 * failed) / Math.max(1, kids.length)) + '%)' +
      (success ? ', ' + plural(success, 'successful login', 'successful logins') : '');
    return L.divIcon({ html: label, className: cls, iconSize: L.point(size, size) });
  }

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
    var idx;
    if (layer === markersLayer) {
      if (!dirty.markers) return;
      dirty.markers = false;
      idx = visibleIndices();
      markersLayer.clearLayers();
      haloLayer.clearLayers();
      markerOf = {};
      for (var k = 0; k < idx.length; k++) {
        var m = makeMarker(idx[k]);
        markerOf[idx[k]] = m;
        if (outcome(idx[k]) === 'success') haloLayer.addLayer(halo(idx[k]));
        markersLayer.addLayer(m);
      }
    } else if (layer === clusterLayer) {
      if (!dirty.clusters) return;
      dirty.clusters = false;
      idx = visibleIndices();
      clusterLayer.clearLayers();
      clusterOf = {};
      var list = new Array(idx.length);
      for (var j = 0; j < idx.length; j++) {
        list[j] = clusterOf[idx[j]] = makeMarker(idx[j]);
      }
      // The page is ready again once the last chunk is clustered (chunkProgress).
      clusterReady = list.length === 0;
      readyFlag = false;
      document.documentElement.removeAttribute('data-ready');
      clusterLayer.addLayers(list);
    } else if (layer === heatLayer) {
      if (!dirty.heat) return;
      dirty.heat = false;
      idx = visibleIndices();
      var pts = new Array(idx.length);
      var top = 1;
      for (var h = 0; h < idx.length; h++) top = Math.max(top, ev(idx[h]));
      var scale = Math.log(1 + top);
      for (var p = 0; p < idx.length; p++) {
        pts[p] = [lat(idx[p]), lon(idx[p]), 0.25 + 0.75 * Math.log(1 + ev(idx[p])) / scale];
      }
      heatLayer.setOptions({ max: Math.max(1, Math.min(4, idx.length / 400)) });
      heatLayer.setLatLngs(pts);
    }
  }

  function restyleMarkers() {
    markersLayer.eachLayer(function (m) { m.setStyle(markerStyle(m.logmapIndex)); });
    clusterLayer.eachLayer(function (m) { m.setStyle(markerStyle(m.logmapIndex)); });
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
        var cc = str(ccIdx(i));
        if (!cc || !selected(i)) continue;
        var c = choroCounts[cc] || (choroCounts[cc] = { events: 0, ips: 0, failures: 0 });
        c.events += ev(i);
        c.ips += 1;
        c.failures += fl(i);
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
    var ip = String(C.ip[i]);
    var box = el('div', 'pop');
    var h = el('h3', null, ip + ' ');
    var o = outcome(i);
    h.appendChild(el('span', 'badge ' + o, o === 'success' ? 'login succeeded' : o === 'failed' ? 'failed logins' : 'seen'));
    box.appendChild(h);

    var cc = str(ccIdx(i));
    var where = [str(cityIdx(i)), str(cnIdx(i)) || (cc && nameOfCc[cc]) || cc].filter(Boolean).join(', ');
    box.appendChild(el('p', 'where', where || 'unknown location'));
    // how precise the marker's position is
    var precision = acc(i) === 2 ? 'Position: city (as the geolocation data places it)'
      : acc(i) === 1 ? 'Position: country only (drawn at the country\'s centre)'
      : located(i) ? 'Position: precision unknown' : 'Position: unknown (not on the map)';
    box.appendChild(el('p', 'small precision', precision));
    var asn = asnOf(i);
    var org = str(orgIdx(i));
    if (asn || org) box.appendChild(el('p', 'where', (asn ? 'AS' + asn + ' ' : '') + (org || '')));

    var table = el('table');
    function row(label, n) {
      var tr = el('tr');
      tr.appendChild(el('td', null, label));
      tr.appendChild(el('td', 'n', fmt(n)));
      table.appendChild(tr);
    }
    row('events', ev(i));
    if (hasSsh) {
      row('failed logins', fl(i));
      row('successful logins', sc(i));
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
        var b = el('button', 'ip mono', String(C.ip[j]));
        b.type = 'button';
        b.setAttribute('data-ip', String(C.ip[j]));
        b.addEventListener('click', function () { popup.setContent(popupContent(j)); });
        li.appendChild(b);
        li.appendChild(el('span', 'muted', ' ' + plural(ev(j), 'event', 'events') + (sc(j) > 0 ? ', login succeeded' : '')));
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

  function byId(id) { return document.getElementById(id); }

  // Index of the kind `blocked` in the string table (per-address kinds refer to it).
  var blockedId = S.indexOf('blocked');
  function blockedOf(i) {
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
      events += ev(i);
      failures += fl(i);
      successes += sc(i);
      if (hasFirewall) blocked += blockedOf(i);
      if (located(i)) drawn++;
      var cc = str(ccIdx(i));
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
    var rows = Array.isArray(meta.windows) ? meta.windows : [];
    rows.forEach(function (w) {
      if (!w || typeof w !== 'object') return;
      var tr = el('tr');
      tr.appendChild(el('td', null, 'last ' + (w.label || '?')));
      tr.appendChild(el('td', null, fmt(w.ips)));
      tr.appendChild(el('td', null, fmt(w.countries)));
      tr.appendChild(el('td', null, fmt(w.events)));
      if (hasSsh) tr.appendChild(el('td', null, fmt(w.failures)));
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

    var ips = [];
    for (var i = 0; i < N; i++) ips.push(i);
    ips.sort(function (a, b) { return ev(b) - ev(a); });
    fillList('top-ips', ips.slice(0, TOP).map(function (i) {
      var cc = str(ccIdx(i));
      return { key: i, name: C.ip[i], count: ev(i), mono: true };
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
      var pts = visibleIndices().map(function (i) { return [lat(i), lon(i)]; });
      if (pts.length) bounds = L.latLngBounds(pts);
    }
    if (bounds && bounds.isValid()) map.fitBounds(bounds.pad(0.15), { maxZoom: 6 });
  }

  function zoomToAddress(i) {
    if (!located(i)) {
      popup.setLatLng(map.getCenter()).setContent(popupContent(i)).openOn(map);
      return;
    }
    var m = map.hasLayer(markersLayer) ? markerOf[i] : map.hasLayer(clusterLayer) ? clusterOf[i] : null;
    if (m && map.hasLayer(clusterLayer) && m === clusterOf[i]) {
      clusterLayer.zoomToShowLayer(m, function () { openPopup(m); });
    } else if (m) {
      map.setView(m.getLatLng(), Math.max(map.getZoom(), 6));
      openPopup(m);
    } else {
      map.setView([lat(i), lon(i)], Math.max(map.getZoom(), 6));
      popup.setLatLng([lat(i), lon(i)]).setContent(popupContent(i)).openOn(map);
    }
  }

  // ---------------------------------------------------------------- time filter

  var SVGNS = 'http://www.w3.org/2000/svg';
  var series = meta.timeline && Array.isArray(meta.timeline.series) ? meta.timeline.series : [];
  var shadeLeft, shadeRight;

  function renderHistogram() {
    var box = byId('histogram');
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
    from.max = to.max = String(slots.count - 1);
    from.value = String(state.from);
    to.value = String(state.to);
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
    updateRangeLabel();
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
    dirty.markers = dirty.clusters = dirty.heat = true;
    readyFlag = false;
    [markersLayer, clusterLayer, heatLayer].forEach(function (l) { if (map.hasLayer(l)) refresh(l); });
    refreshChoropleth();
    renderTotals();
    signalReady();
  }

  function signalReady() {
    if (map.hasLayer(clusterLayer) && !clusterReady) return;
    readyFlag = true;
    document.documentElement.setAttribute('data-ready', 'true');
  }

  // ---------------------------------------------------------------- first view

  // The first view frames the data: every located address and, when they all lie in one
  // country, the parts of that country's outline that hold them (not its far islands or
  // overseas territories), so a one-country log opens on the whole country. A spread smaller
  // than MIN_SPAN degrees (one city) is widened to it, so the view keeps its surroundings.
  var MIN_SPAN = 6;
  function initialBounds() {
    if (!drawOrder.length) return null;
    var b = L.latLngBounds(drawOrder.map(function (i) { return [lat(i), lon(i)]; }));
    var ccs = {};
    drawOrder.forEach(function (i) { var c = str(ccIdx(i)); if (c) ccs[c] = true; });
    var only = Object.keys(ccs);
    var f = only.length === 1 && numericOf[only[0]] && featureById[numericOf[only[0]]];
    if (f && f.geometry) {
      var polys = f.geometry.type === 'Polygon' ? [f.geometry.coordinates]
        : f.geometry.type === 'MultiPolygon' ? f.geometry.coordinates : [];
      polys.forEach(function (p) {
        var pb = L.geoJSON({ type: 'Polygon', coordinates: p }).getBounds();
        // a part across the antimeridian would span the world
        if (!pb.isValid() || pb.getEast() - pb.getWest() > 300) return;
        var holds = drawOrder.some(function (i) { return pb.contains([lat(i), lon(i)]); });
        if (holds) b.extend(pb);
      });
    }
    var c = b.getCenter();
    var h = Math.max(b.getNorth() - b.getSouth(), MIN_SPAN) / 2;
    var w = Math.max(b.getEast() - b.getWest(), MIN_SPAN) / 2;
    return L.latLngBounds([c.lat - h, c.lng - w], [c.lat + h, c.lng + w]);
  }

  // ---------------------------------------------------------------- start

  var prefersLight = window.matchMedia && window.matchMedia('(prefers-color-scheme: light)').matches;
  var startTheme = prefersLight ? 'light' : 'dark';
  setTheme(startTheme);
  map.addLayer(baseLayers[startTheme === 'light' ? 'Offline map, light' : 'Offline map, dark']);

  var locatedCount = drawOrder.length;
  var startBounds = initialBounds();
  if (startBounds) map.fitBounds(startBounds.pad(0.2), { maxZoom: 6 });
  else map.fitBounds(WORLD);

  [].forEach.call(document.querySelectorAll('.ssh'), function (e) { e.hidden = !hasSsh; });
  [].forEach.call(document.querySelectorAll('.firewall'), function (e) { e.hidden = !hasFirewall; });
  renderHeader();
  renderWindows();
  renderHistogram();
  renderRange();
  renderTopLists();
  renderTotals();
  countCountries();
  updateLegend();

  // Clusters by default above a few hundred points; plain markers below.
  map.addLayer(locatedCount > 300 ? clusterLayer : markersLayer);
  signalReady();

  byId('panel-toggle').addEventListener('click', function () {
    var hidden = document.body.classList.toggle('panel-hidden');
    this.setAttribute('aria-expanded', hidden ? 'false' : 'true');
    map.invalidateSize();
  });

  // A small read-only handle for the browser tests and for curious users in the console.
  window.__logmap = {
    map: map,
    layers: { markers: markersLayer, clusters: clusterLayer, heat: heatLayer, choropleth: choroLayer, base: baseLayers },
    ready: function () { return readyFlag; },
    located: locatedCount,
    total: N,
    // the first view's bounds [south, west, north, east] (null: the whole world)
    startBounds: startBounds && [startBounds.getSouth(), startBounds.getWest(), startBounds.getNorth(), startBounds.getEast()],
    // Where an address is drawn, in page pixels (for clicking it).
    pointOf: function (ip) {
      var i = C.ip.indexOf(ip);
      if (i < 0 || !located(i)) return null;
      var p = map.latLngToContainerPoint([lat(i), lon(i)]);
      var r = map.getContainer().getBoundingClientRect();
      return { x: p.x + r.left, y: p.y + r.top };
    },
    setRange: setRange,
    slots: slots,
    // The address drawn as marker `i` (markers carry their index as logmapIndex).
    ipOf: function (i) { return C.ip[i]; }
  };
})();
