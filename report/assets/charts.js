// fleetsim report: interactive figures. Each JSON script of class fig-data holds
// one figure's series (report/interactive.go writes it); this builds a uPlot
// chart of them in the figure, panels sharing the cursor and the zoom, and
// hides the static SVG. Hover shows the time and each series' value; drag
// to zoom; double-click to reset. Without JavaScript the SVG stays.
(function () {
  "use strict";
  if (typeof uPlot === "undefined" || !window.JSON) {
    return;
  }
  var DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  var STEPS = [10, 30, 60, 120, 300, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800];
  var charts = [];
  window.fleetsimCharts = charts;

  function pad(n) { return n < 10 ? "0" + n : "" + n; }

  // wall is the calendar time of Unix seconds ts in the scenario's zone,
  // read with the getUTC* methods.
  function wall(ts, tz) { return new Date((ts + tz) * 1000); }

  function clock(d, secs) {
    return pad(d.getUTCHours()) + ":" + pad(d.getUTCMinutes()) + (secs ? ":" + pad(d.getUTCSeconds()) : "");
  }

  function day(d) { return DAYS[d.getUTCDay()] + " " + d.getUTCDate() + " " + MONTHS[d.getUTCMonth()]; }

  // num formats a readout: about four significant digits, no trailing zeros.
  function num(v) {
    if (v == null || isNaN(v)) {
      return "–";
    }
    var a = Math.abs(v), s;
    if (a >= 1000) {
      return Math.round(v).toLocaleString("en-US");
    } else if (a >= 100) {
      s = v.toFixed(1);
    } else if (a >= 10) {
      s = v.toFixed(2);
    } else if (a >= 1) {
      s = v.toFixed(3);
    } else if (a === 0) {
      return "0";
    } else {
      s = v.toPrecision(3);
    }
    return s.indexOf(".") >= 0 ? s.replace(/0+$/, "").replace(/\.$/, "") : s;
  }

  // splits are calendar ticks: the smallest round step that gives at most
  // one label per 110 pixels, aligned to midnight in the scenario's zone.
  function splitsFor(tz) {
    return function (u, axisIdx, lo, hi) {
      var most = Math.max(2, Math.floor(u.bbox.width / devicePixelRatio / 110));
      var step = STEPS[STEPS.length - 1];
      for (var i = 0; i < STEPS.length; i++) {
        if ((hi - lo) / STEPS[i] <= most) {
          step = STEPS[i];
          break;
        }
      }
      var base = Math.floor((lo + tz) / 86400) * 86400 - tz;
      if (step > 86400) {
        step = 86400 * Math.round(step / 86400);
      }
      var out = [];
      for (var t = base + Math.ceil((lo - base) / step) * step; t <= hi; t += step) {
        out.push(t);
      }
      return out;
    };
  }

  function valuesFor(tz) {
    return function (u, splits) {
      var span = u.scales.x.max - u.scales.x.min;
      var step = splits.length > 1 ? splits[1] - splits[0] : span;
      return splits.map(function (t) {
        var d = wall(t, tz);
        if (step >= 86400) {
          return day(d);
        }
        if (span > 86400) {
          return DAYS[d.getUTCDay()] + " " + clock(d, false);
        }
        return clock(d, step < 60);
      });
    };
  }

  // decode turns a panel's delta-coded x into Unix seconds.
  function decode(x0, dx) {
    var out = new Array(dx.length), t = x0;
    for (var i = 0; i < dx.length; i++) {
      t += dx[i];
      out[i] = t;
    }
    return out;
  }

  // own is each series' value for the readout: a stacked band's is its
  // height above the next stacked series.
  function own(series) {
    return series.map(function (s, i) {
      var next = series[i + 1];
      if (!s.stack || !next || !next.stack) {
        return s.y;
      }
      return s.y.map(function (v, k) {
        var w = next.y[k];
        return v == null || w == null ? v : v - w;
      });
    });
  }

  function drawMarks(data) {
    return function (u) {
      if (!data.marks) {
        return;
      }
      var ctx = u.ctx, b = u.bbox, r = devicePixelRatio;
      ctx.save();
      ctx.beginPath();
      ctx.rect(b.left, b.top, b.width, b.height);
      ctx.clip();
      var end = -Infinity; // right edge of the last deployment drawn
      data.marks.forEach(function (m) {
        var k = data.kinds[m[2]];
        var x0 = u.valToPos(m[0], "x", true);
        if (k.fill) {
          // a deployment right after another (a rollback) starts where
          // the other's widened span ends; spans are at least 10 px wide
          if (k.chain) {
            x0 = Math.max(x0, end);
          }
          var x1 = Math.max(u.valToPos(m[1], "x", true), x0 + 10 * r);
          if (k.chain) {
            end = x1;
          }
          ctx.fillStyle = k.fill;
          ctx.fillRect(x0, b.top, x1 - x0, b.height);
        }
        ctx.strokeStyle = k.edge;
        ctx.lineWidth = 1.5 * r;
        ctx.setLineDash((k.dash || []).map(function (d) { return d * r; }));
        ctx.beginPath();
        ctx.moveTo(x0, b.top);
        ctx.lineTo(x0, b.top + b.height);
        ctx.stroke();
      });
      ctx.restore();
    };
  }

  function keyOf(data) {
    var key = document.createElement("div");
    key.className = "ichart-key";
    data.kinds.forEach(function (k) {
      var item = document.createElement("span");
      var sw = document.createElement("i");
      sw.style.background = k.fill || "transparent";
      sw.style.borderLeft = "2px " + (k.dash ? "dashed " : "solid ") + k.edge;
      item.appendChild(sw);
      item.appendChild(document.createTextNode(k.label));
      key.appendChild(item);
    });
    return key;
  }

  function panelOpts(data, p, last, width, height, values, readout, lower) {
    var stepped = uPlot.paths.stepped({ align: 1 });
    var series = [{
      label: "time",
      // the cursor's time, to the minute (the series are per minute; the
      // readout holds each value from its last change)
      value: function (u, v) {
        var left = u.cursor.left;
        if (v == null || left == null || left < 0) {
          return "–";
        }
        var d = wall(Math.floor(u.posToVal(left, "x") / 60) * 60, data.tz);
        return day(d) + " " + clock(d, false);
      }
    }];
    p.series.forEach(function (s, i) {
      series.push({
        label: s.label,
        stroke: s.color,
        width: s.width,
        dash: s.dash,
        fill: s.fill ? s.color : undefined,
        paths: stepped,
        points: { show: false },
        value: function (u, v, si, idx) { return idx == null ? "–" : num(values[i][idx]); }
      });
    });
    return {
      width: width,
      height: height,
      padding: [6, 34, 0, 0], // room on the right for the last time label
      series: series,
      cursor: {
        sync: { key: "fig-" + data.id },
        drag: { x: true, y: false, setScale: true },
        y: false, // the time line only: values are in the readout
        points: { show: false },
        // a step line holds its value until the next sample: read the
        // last sample at or before the cursor, not the nearest
        dataIdx: function (u, si, closest, xv) {
          var xs = u.data[0], i = closest;
          while (i > 0 && xs[i] > xv) { i--; }
          while (i + 1 < xs.length && xs[i + 1] <= xv) { i++; }
          return i;
        }
      },
      scales: { x: { time: false }, y: { auto: false, range: [p.ymin, p.ymax] } },
      axes: [
        { splits: splitsFor(data.tz), values: last ? valuesFor(data.tz) : function (u, s) { return s.map(function () { return ""; }); },
          label: last ? data.xlabel : undefined, labelSize: 20,
          size: last ? 30 : 8, grid: { stroke: "#e4e4e4" }, ticks: { show: last } },
        { label: p.ylabel, size: 64, labelSize: 18, grid: { stroke: "#e4e4e4" } }
      ],
      // every panel's readout goes into the figure's one readout line
      legend: {
        live: true,
        mount: function (u, el) {
          if (lower) {
            el.classList.add("ichart-lower");
          }
          readout.appendChild(el);
        }
      },
      hooks: { drawClear: [drawMarks(data)] }
    };
  }

  function build(fig, data) {
    var svg = fig.querySelector("svg");
    var box = document.createElement("div");
    box.className = "ichart";
    box.setAttribute("role", "img");
    box.setAttribute("aria-label", data.title + " (interactive)");
    var title = document.createElement("div");
    title.className = "ichart-title";
    title.textContent = data.title;
    box.appendChild(title);
    if (data.kinds) {
      box.appendChild(keyOf(data));
    }
    fig.insertBefore(box, svg);
    var width = Math.max(fig.clientWidth, 320);
    var tall = data.panels.length === 1 ? 300 : 150;
    var mine = [];
    var readout = document.createElement("div");
    readout.className = "ichart-readout";
    var x = null;
    data.panels.forEach(function (p, i) {
      var last = i === data.panels.length - 1;
      if (!p.samex) {
        x = decode(data.x0, p.x);
      }
      var holder = document.createElement("div");
      holder.className = "ichart-panel";
      box.appendChild(holder);
      var values = own(p.series);
      var cols = [x].concat(p.series.map(function (s) { return s.y; }));
      var u = new uPlot(panelOpts(data, p, last, width, tall + (last ? 52 : 0), values, readout, i > 0), cols, holder);
      mine.push(u);
      charts.push(u);
    });
    box.appendChild(readout);
    svg.style.display = "none";
    return mine;
  }

  function init() {
    var built = [];
    document.querySelectorAll("script.fig-data").forEach(function (el) {
      var fig = el.parentNode;
      try {
        built.push({ fig: fig, charts: build(fig, JSON.parse(el.textContent)) });
      } catch (e) {
        // leave the SVG: a chart that cannot be built is no worse than none
        if (window.console) {
          console.warn("fleetsim: figure " + fig.id + ": " + e);
        }
      }
    });
    if (built.length === 0) {
      return;
    }
    document.querySelectorAll(".js-only").forEach(function (el) { el.hidden = false; });
    var pending = null;
    window.addEventListener("resize", function () {
      clearTimeout(pending);
      pending = setTimeout(function () {
        built.forEach(function (b) {
          var w = Math.max(b.fig.clientWidth, 320);
          b.charts.forEach(function (u) { u.setSize({ width: w, height: u.height }); });
        });
      }, 150);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
