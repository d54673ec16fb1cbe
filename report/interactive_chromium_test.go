package report_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/sim"
)

// chartProbe is a script the test adds to a copy of report.html. On load it
// hovers the middle of the web service's task chart, reads the readout,
// hovers the load figure's top panel and reads every panel's readout (the
// panels share the cursor), drags across a quarter of the task chart to
// zoom and double-clicks to reset; then it writes what it saw into
// <pre id="probe"> for --dump-dom.
const chartProbe = `
window.addEventListener("load", function () {
  var out = { charts: document.querySelectorAll(".ichart").length,
    data: document.querySelectorAll("script.fig-data").length,
    hiddenSVGs: Array.prototype.filter.call(document.querySelectorAll("figure svg"), function (s) { return s.style.display === "none"; }).length };
  function done() {
    var pre = document.createElement("pre");
    pre.id = "probe";
    pre.textContent = JSON.stringify(out);
    document.body.appendChild(pre);
  }
  function readout(fig) {
    return Array.prototype.map.call(fig.querySelectorAll(".ichart-readout .u-series"), function (s) {
      return { label: s.querySelector(".u-label").textContent, value: s.querySelector(".u-value").textContent };
    });
  }
  function mouse(over, type, fx, target) {
    var r = over.getBoundingClientRect();
    (target || over).dispatchEvent(new MouseEvent(type, { bubbles: true, cancelable: true, view: window,
      clientX: r.left + fx * r.width, clientY: r.top + r.height / 2, button: 0,
      buttons: type === "mouseup" ? 0 : 1, movementX: 5 }));
  }
  try {
    var fig = document.getElementById("service-1");
    var over = fig.querySelector(".u-over");
    var u = window.fleetsimCharts.filter(function (c) { return fig.contains(c.root); })[0];
    mouse(over, "mouseenter", 0.5);
    mouse(over, "mousemove", 0.5);
    out.readout = readout(fig);
    var load = document.getElementById("service-1-load");
    var top = load.querySelector(".u-over");
    mouse(top, "mouseenter", 0.75);
    mouse(top, "mousemove", 0.75);
    out.loadReadout = readout(load);
    out.before = [u.scales.x.min, u.scales.x.max];
    mouse(over, "mousedown", 0.25);
    mouse(over, "mousemove", 0.5);
    mouse(over, "mouseup", 0.5, document);
    setTimeout(function () {
      out.zoomed = [u.scales.x.min, u.scales.x.max];
      mouse(over, "dblclick", 0.5);
      setTimeout(function () {
        out.reset = [u.scales.x.min, u.scales.x.max];
        done();
      }, 50);
    }, 50);
  } catch (e) {
    out.error = String(e);
    done();
  }
});
`

type probeResult struct {
	Charts, Data, HiddenSVGs int
	Readout, LoadReadout     []struct{ Label, Value string }
	Before, Zoomed, Reset    []float64
	Error                    string
}

// probeReport loads report.html with chartProbe in headless Chromium.
func probeReport(t *testing.T, dir string) (probeResult, string) {
	t.Helper()
	html := string(readFile(t, filepath.Join(dir, "report.html")))
	require.Equal(t, 1, strings.Count(html, "</body>"))
	probe := filepath.Join(dir, "probe.html")
	require.NoError(t, os.WriteFile(probe, []byte(strings.Replace(html, "</body>", "<script>"+chartProbe+"</script>\n</body>", 1)), 0o644))
	args := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + t.TempDir(), "--enable-logging=stderr", "--v=0", "--window-size=1400,2400",
		"--virtual-time-budget=10000", "--dump-dom", "file://" + probe}
	cmd := exec.Command(chromium, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	dom, err := cmd.Output()
	require.NoError(t, err, stderr.String())
	m := regexp.MustCompile(`<pre id="probe">(.*?)</pre>`).FindSubmatch(dom)
	require.NotNil(t, m, "the probe wrote nothing: %s", stderr.String())
	var out probeResult
	require.NoError(t, json.Unmarshal([]byte(strings.ReplaceAll(string(m[1]), "&quot;", `"`)), &out), string(m[1]))
	return out, stderr.String()
}

// minuteOf reads "Mon 5 Jan 12:00" as minutes since the start of the day.
func minuteOf(t *testing.T, s string) int {
	t.Helper()
	m := regexp.MustCompile(`(\d\d):(\d\d)$`).FindStringSubmatch(s)
	require.NotNil(t, m, "a time: %q", s)
	h, _ := strconv.Atoi(m[1])
	mm, _ := strconv.Atoi(m[2])
	return h*60 + mm
}

// The interactive layer in a real browser: every time-series figure
// becomes a chart and its SVG is hidden; hovering the web service's task
// chart reads out the time and each series' value, the same numbers as
// timeseries.csv at that minute; hovering one panel of the load figure
// reads out all its panels; a drag zooms and a double-click resets.
func TestInteractiveChartsShowValuesOnHoverAndZoom(t *testing.T) {
	if _, err := os.Stat(chromium); err != nil {
		t.Skipf("%s not installed (apt-get install -y chromium): headless check skipped", chromium)
	}
	if testing.Short() {
		t.Skip("headless Chromium is slow: skipped in -short")
	}
	res, src := runScenario(t, "", nil)
	out, stderr := probeReport(t, writeRun(t, res, src))
	require.Empty(t, out.Error)
	assert.NotRegexp(t, `(?i)Uncaught|console.*error`, stderr, "console errors")
	assert.Positive(t, out.Data)
	assert.Equal(t, out.Data, out.Charts, "a chart for every figure with data")
	assert.Equal(t, out.Data, out.HiddenSVGs, "the SVG hidden under every chart")

	require.NotEmpty(t, out.Readout)
	assert.Equal(t, "time", out.Readout[0].Label)
	minute := minuteOf(t, out.Readout[0].Value)
	assert.InDelta(t, 12*60, minute, 2, "the middle of a day's chart")
	want := map[string]string{}
	for _, m := range []string{"running", "desired", "pending", "provisioning", "healthy"} {
		want[m] = fmt.Sprint(seriesAt(t, res, "service.web."+m, minute))
	}
	for _, r := range out.Readout[1:] {
		assert.Equal(t, want[r.Label], r.Value, "%s at minute %d", r.Label, minute)
	}

	var labels []string
	for _, r := range out.LoadReadout {
		labels = append(labels, r.Label)
		assert.NotEqual(t, "–", r.Value, "%s has a value: the panels share the cursor", r.Label)
	}
	assert.Subset(t, labels, []string{"offered req/s", "running tasks", "CPU %", "mean response"})

	day := float64(24 * time.Hour / time.Second)
	require.Len(t, out.Before, 2)
	require.Len(t, out.Zoomed, 2)
	assert.InDelta(t, day, out.Before[1]-out.Before[0], 1, "the whole day before the drag")
	assert.InDelta(t, day/4, out.Zoomed[1]-out.Zoomed[0], 600, "a quarter of the day after a drag across a quarter")
	assert.Equal(t, out.Before, out.Reset, "double-click resets the zoom")
}

// seriesAt is a series column's value at a minute.
func seriesAt(t *testing.T, res *sim.Result, name string, minute int) float64 {
	t.Helper()
	for _, c := range res.Series.Columns {
		if c.Name == name {
			return c.Values[minute]
		}
	}
	t.Fatalf("no column %s", name)
	return 0
}
