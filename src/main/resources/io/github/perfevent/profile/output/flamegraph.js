/*
 * Flame graph page of perf-event-open for Java. Reads the profile embedded in the page (the JSON in
 * #profile-data, written by FlameGraphHtml) and draws it on a canvas. Nothing is loaded from elsewhere.
 *
 * The data: frames (the frame texts of the folded stacks), kinds (one letter per frame) and nodes, the call tree in
 * depth-first order as triples [frame index, depth, self weight]. The page adds a root above depth 0.
 *
 * Test hook: a page opened with #search=TEXT runs that search once loaded; the result is always written into the
 * attributes of #search-result (data-query, data-matched-frames, data-matched-weight, data-matched-percent), the
 * number of frames drawn into the canvas' data-drawn-frames. Script errors are written into #errors.
 */
(function () {
  'use strict';

  var ROW_HEIGHT = 16;
  var MIN_WIDTH = 0.5; // px: narrower frames (and everything above them) are not drawn
  var TEXT_MIN_WIDTH = 24; // px: narrower frames get no label
  var KINDS = {
    j: {label: 'Java JIT', hue: 120, sat: 55},
    i: {label: 'Java inlined', hue: 180, sat: 50},
    p: {label: 'Interpreter', hue: 270, sat: 45},
    n: {label: 'native', hue: 8, sat: 70},
    k: {label: 'kernel', hue: 32, sat: 85},
    u: {label: 'unknown', hue: 0, sat: 0},
    t: {label: 'thread', hue: 215, sat: 35},
    r: {label: 'all', hue: 0, sat: 0}
  };
  var SUFFIX = /_\[[jik0]\]$/;

  var errors = document.getElementById('errors');
  window.addEventListener('error', function (event) {
    errors.hidden = false;
    errors.textContent += (event.message || String(event.error)) + '\n';
  });

  var data = JSON.parse(document.getElementById('profile-data').textContent);
  var unit = data.unit;

  // ---- The tree: node 0 is the root "all", node k + 1 is data.nodes' k-th triple. ----
  var count = data.nodes.length / 3 + 1;
  var frameOf = new Int32Array(count);
  var depth = new Int32Array(count);
  var self = new Float64Array(count);
  var total = new Float64Array(count);
  var parent = new Int32Array(count);
  var end = new Int32Array(count); // one past the last node of the subtree
  var left = new Float64Array(count); // weight left of the node in its row
  var maxDepth = 0;

  (function buildTree() {
    var raw = data.nodes;
    var open = [0]; // open[d]: the last node seen at depth d
    frameOf[0] = -1;
    parent[0] = -1;
    for (var k = 0, i = 1; i < count; k += 3, i++) {
      frameOf[i] = raw[k];
      depth[i] = raw[k + 1] + 1;
      self[i] = raw[k + 2];
      parent[i] = open[depth[i] - 1];
      open[depth[i]] = i;
      if (depth[i] > maxDepth) {
        maxDepth = depth[i];
      }
    }
    for (i = count - 1; i >= 0; i--) {
      total[i] += self[i];
      if (parent[i] >= 0) {
        total[parent[i]] += total[i];
      }
    }
    // A subtree ends where the next node at the same or a smaller depth starts.
    var pending = [];
    for (i = 0; i < count; i++) {
      while (pending.length > 0 && depth[pending[pending.length - 1]] >= depth[i]) {
        end[pending.pop()] = i;
      }
      pending.push(i);
    }
    while (pending.length > 0) {
      end[pending.pop()] = count;
    }
    // Children sit side by side from their parent's left edge, in depth-first order.
    var next = new Float64Array(count);
    for (i = 1; i < count; i++) {
      left[i] = next[parent[i]] + left[parent[i]];
      next[parent[i]] += total[i];
    }
  })();

  // ---- Names and colours of the frames ----
  var names = data.frames.map(function (text) {
    return unescapeFolded(text.replace(SUFFIX, ''));
  });

  function unescapeFolded(text) {
    return text.replace(/\\(\\|n|r|x[0-9a-fA-F]{2})/g, function (all, code) {
      if (code === '\\') {
        return '\\';
      } else if (code === 'n') {
        return '\n';
      } else if (code === 'r') {
        return '\r';
      }
      return String.fromCharCode(parseInt(code.substring(1), 16));
    });
  }

  function kindOf(node) {
    return node === 0 ? 'r' : data.kinds.charAt(frameOf[node]);
  }

  function nameOf(node) {
    return node === 0 ? 'all' : names[frameOf[node]];
  }

  var frameColors = data.frames.map(function (text, frame) {
    var kind = KINDS[data.kinds.charAt(frame)];
    var hash = 0;
    for (var c = 0; c < text.length; c++) {
      hash = (hash * 31 + text.charCodeAt(c)) | 0;
    }
    var vary = (hash >>> 0) % 1000 / 1000;
    var hue = kind.hue + (kind.sat > 0 ? Math.round(vary * 16) - 8 : 0);
    var light = kind.sat > 0 ? 55 + Math.round(vary * 15) : 72 + Math.round(vary * 10);
    return 'hsl(' + hue + ',' + kind.sat + '%,' + light + '%)';
  });

  function colorOf(node) {
    if (node === 0) {
      return 'hsl(0,0%,80%)';
    }
    return matchedFrames && matchedFrames[frameOf[node]] ? '#e038e0' : frameColors[frameOf[node]];
  }

  // ---- Header ----
  document.title = data.title;
  document.getElementById('title').textContent = data.title;
  document.getElementById('totals').textContent = 'Total: ' + formatNumber(data.total) + ' ' + unit + ' in '
      + formatNumber(data.stacks) + ' distinct stacks';
  (function accounting() {
    var a = data.accounting;
    var line = document.getElementById('accounting');
    [['Samples recorded', a.samplesRecorded, false], ['lost', a.samplesLost, true],
      ['unsymbolized frames', a.unsymbolizedFrames, true], ['truncated stacks', a.truncatedStacks, true]]
        .forEach(function (item, index) {
          if (index > 0) {
            line.appendChild(document.createTextNode(' \u00b7 '));
          }
          var span = document.createElement('span');
          span.textContent = item[0] + ': ' + formatNumber(item[1]);
          if (item[2] && item[1] > 0) {
            span.className = 'warning';
          }
          line.appendChild(span);
        });
  })();
  (function legend() {
    var present = {};
    for (var f = 0; f < data.kinds.length; f++) {
      present[data.kinds.charAt(f)] = true;
    }
    var list = document.getElementById('legend');
    Object.keys(KINDS).forEach(function (key) {
      if (!present[key]) {
        return;
      }
      var kind = KINDS[key];
      var item = document.createElement('li');
      var swatch = document.createElement('span');
      swatch.className = 'swatch';
      swatch.style.background = 'hsl(' + kind.hue + ',' + kind.sat + '%,' + (kind.sat > 0 ? 62 : 77) + '%)';
      item.appendChild(swatch);
      item.appendChild(document.createTextNode(kind.label));
      list.appendChild(item);
    });
    var matched = document.createElement('li');
    var swatch = document.createElement('span');
    swatch.className = 'swatch';
    swatch.style.background = '#e038e0';
    matched.appendChild(swatch);
    matched.appendChild(document.createTextNode('search match'));
    list.appendChild(matched);
  })();

  function formatNumber(value) {
    return Number(value).toLocaleString('en-US');
  }

  function percent(part, whole) {
    return whole > 0 ? (100 * part / whole).toFixed(2) + '%' : '0.00%';
  }

  // ---- Drawing ----
  var canvas = document.getElementById('canvas');
  var context = canvas.getContext('2d');
  var tooltip = document.getElementById('tooltip');
  var zoomed = 0;
  var icicle = false;
  var matchedFrames = null;
  var rows = []; // rows[d]: the nodes drawn at depth d, left to right, as {x, width, node}
  var cssWidth = 0;

  function rowTop(d) {
    return icicle ? d * ROW_HEIGHT : (maxDepth - d) * ROW_HEIGHT;
  }

  function draw() {
    var ratio = window.devicePixelRatio || 1;
    cssWidth = canvas.clientWidth;
    var cssHeight = (maxDepth + 1) * ROW_HEIGHT;
    canvas.style.height = cssHeight + 'px';
    canvas.width = Math.round(cssWidth * ratio);
    canvas.height = Math.round(cssHeight * ratio);
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    context.clearRect(0, 0, cssWidth, cssHeight);
    context.font = '11px monospace';
    context.textBaseline = 'middle';
    var charWidth = context.measureText('mmmmmmmmmm').width / 10;
    rows = [];
    for (var d = 0; d <= maxDepth; d++) {
      rows.push([]);
    }
    // The zoomed frame's ancestors span the whole width, dimmed.
    for (var a = parent[zoomed]; a >= 0; a = parent[a]) {
      drawFrame(a, 0, cssWidth, charWidth, true);
    }
    var scale = cssWidth / total[zoomed];
    var origin = left[zoomed];
    var drawn = 0;
    for (var i = zoomed; i < end[zoomed];) {
      var width = total[i] * scale;
      if (width < MIN_WIDTH) {
        i = end[i];
        continue;
      }
      drawFrame(i, (left[i] - origin) * scale, width, charWidth, false);
      drawn++;
      i++;
    }
    canvas.dataset.drawnFrames = String(drawn);
  }

  function drawFrame(node, x, width, charWidth, dimmed) {
    var y = rowTop(depth[node]);
    context.globalAlpha = dimmed ? 0.5 : 1;
    context.fillStyle = colorOf(node);
    context.fillRect(x, y, Math.max(width - 1, 0.5), ROW_HEIGHT - 1);
    if (width >= TEXT_MIN_WIDTH) {
      var room = Math.floor((width - 6) / charWidth);
      var name = nameOf(node);
      var label = name.length <= room ? name : name.substring(0, Math.max(room - 2, 0)) + '..';
      context.fillStyle = '#000';
      context.fillText(label, x + 3, y + ROW_HEIGHT / 2);
    }
    context.globalAlpha = 1;
    rows[depth[node]].push({x: x, width: width, node: node});
  }

  function nodeAt(offsetX, offsetY) {
    var d = icicle ? Math.floor(offsetY / ROW_HEIGHT) : maxDepth - Math.floor(offsetY / ROW_HEIGHT);
    if (d < 0 || d > maxDepth) {
      return -1;
    }
    var row = rows[d];
    var low = 0;
    var high = row.length - 1;
    while (low <= high) {
      var middle = (low + high) >> 1;
      var item = row[middle];
      if (offsetX < item.x) {
        high = middle - 1;
      } else if (offsetX >= item.x + item.width) {
        low = middle + 1;
      } else {
        return item.node;
      }
    }
    return -1;
  }

  // ---- Interaction ----
  function zoom(node) {
    zoomed = node;
    document.getElementById('reset').disabled = node === 0;
    draw();
  }

  canvas.addEventListener('click', function (event) {
    var node = nodeAt(event.offsetX, event.offsetY);
    if (node >= 0) {
      zoom(node);
    }
  });

  canvas.addEventListener('mousemove', function (event) {
    var node = nodeAt(event.offsetX, event.offsetY);
    if (node < 0) {
      tooltip.hidden = true;
      return;
    }
    var root = total[0];
    var lines = [nameOf(node), KINDS[kindOf(node)].label + ' frame',
      'total: ' + formatNumber(total[node]) + ' ' + unit + ' (' + percent(total[node], root) + ' of all'
          + (zoomed !== 0 ? ', ' + percent(total[node], total[zoomed]) + ' of the zoomed frame' : '') + ')',
      'self: ' + formatNumber(self[node]) + ' ' + unit + ' (' + percent(self[node], root) + ')'];
    tooltip.textContent = lines.join('\n');
    tooltip.hidden = false;
    var x = event.offsetX + 12;
    if (x + tooltip.offsetWidth > cssWidth) {
      x = Math.max(0, event.offsetX - tooltip.offsetWidth - 12);
    }
    tooltip.style.left = x + 'px';
    tooltip.style.top = (event.offsetY + 16) + 'px';
  });

  canvas.addEventListener('mouseleave', function () {
    tooltip.hidden = true;
  });

  document.getElementById('reset').addEventListener('click', function () {
    zoom(0);
  });

  document.getElementById('invert').addEventListener('click', function (event) {
    icicle = !icicle;
    event.target.textContent = icicle ? 'Flame view' : 'Icicle view';
    draw();
  });

  document.addEventListener('keydown', function (event) {
    if (event.key === 'Escape') {
      zoom(0);
    }
  });

  window.addEventListener('resize', draw);

  // ---- Search ----
  var searchBox = document.getElementById('search');
  var searchResult = document.getElementById('search-result');

  function matcherOf(query) {
    var regex = /^\/(.+)\/$/.exec(query);
    if (regex) {
      try {
        var pattern = new RegExp(regex[1]);
        return function (name) {
          return pattern.test(name);
        };
      } catch (invalid) {
        return null;
      }
    }
    var lower = query.toLowerCase();
    return function (name) {
      return name.toLowerCase().indexOf(lower) >= 0;
    };
  }

  /** Marks the frames whose name matches; the matched weight counts each stack once (the outermost match). */
  function search(query) {
    var matches = query === '' ? null : matcherOf(query);
    matchedFrames = null;
    var matchedCount = 0;
    var weight = 0;
    if (matches) {
      matchedFrames = new Uint8Array(names.length);
      for (var f = 0; f < names.length; f++) {
        if (matches(names[f])) {
          matchedFrames[f] = 1;
          matchedCount++;
        }
      }
      for (var i = 1; i < count;) {
        if (matchedFrames[frameOf[i]]) {
          weight += total[i];
          i = end[i];
        } else {
          i++;
        }
      }
    }
    searchResult.dataset.query = query;
    searchResult.dataset.matchedFrames = String(matchedCount);
    searchResult.dataset.matchedWeight = String(weight);
    searchResult.dataset.matchedPercent = percent(weight, total[0]);
    searchResult.textContent = query === '' ? '' : matches === null ? 'invalid regular expression'
        : 'Matched: ' + percent(weight, total[0]) + ' (' + formatNumber(weight) + ' ' + unit + ', '
        + matchedCount + ' frames)';
    draw();
  }

  searchBox.addEventListener('input', function () {
    search(searchBox.value);
  });
  document.getElementById('clear-search').addEventListener('click', function () {
    searchBox.value = '';
    search('');
  });

  var initial = /^#search=(.*)$/.exec(window.location.hash);
  if (initial) {
    searchBox.value = decodeURIComponent(initial[1]);
  }
  search(searchBox.value);
  zoom(0);
})();
