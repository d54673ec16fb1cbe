package report_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/report"
	"github.com/fleetsim/fleetsim/scenarios"
	"github.com/fleetsim/fleetsim/sim"
)

// runScenario runs a library scenario; edit may change its config first.
func runScenario(t *testing.T, name string, edit func(*sim.Config)) (*sim.Result, string) {
	t.Helper()
	sc, err := scenarios.Resolve(name)
	require.NoError(t, err)
	if edit != nil {
		edit(sc.Config)
	}
	res, err := sim.New(sc.Config).Run()
	require.NoError(t, err)
	return res, sc.Source
}

func writeRun(t *testing.T, res *sim.Result, source string) string {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, report.WriteRun(dir, res, source))
	return dir
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return b
}

// sectionIDs are the report's sections, in order.
var sectionIDs = []string{"summary", "plots", "services", "deployments", "capacity-providers", "cost", "timeline", "scenario"}

// assertSelfContained checks that a page loads nothing from elsewhere: no
// external src or href, no @import or remote url(), no <link>, and no
// <script> but inline ones (the interactive charts' library, script and
// data), none with a src.
func assertSelfContained(t *testing.T, page, html string) {
	t.Helper()
	for _, re := range []string{
		`(?i)(src|href)\s*=\s*["']?\s*(https?:)?//`,
		`(?i)@import`,
		`(?i)url\(\s*["']?\s*(https?:)?//`,
		`(?i)<link\b`,
		`(?i)<script\b[^>]*\bsrc\b`,
		`(?i)\bimport\s*\(`,
		`(?i)\b(fetch|XMLHttpRequest|WebSocket|EventSource|sendBeacon)\b`,
	} {
		assert.NotRegexp(t, regexp.MustCompile(re), html, "%s must be self-contained", page)
	}
	for _, tag := range regexp.MustCompile(`(?i)<script\b[^>]*>`).FindAllString(html, -1) {
		assert.Contains(t, []string{`<script>`, `<script type="application/json" class="fig-data">`}, tag, "%s: an inline script of the report's own", page)
	}
}

func TestReportHTMLHasNoExternalReference(t *testing.T) {
	res, src := runScenario(t, "", nil)
	html := string(readFile(t, filepath.Join(writeRun(t, res, src), "report.html")))
	assertSelfContained(t, "report.html", html)
	for _, id := range sectionIDs {
		assert.Contains(t, html, `id="`+id+`"`)
	}
}

func TestReportHTMLEscapesUserStrings(t *testing.T) {
	const evil = `<script>alert(1)</script>`
	res, src := runScenario(t, "", func(c *sim.Config) { c.Services[0].Name = evil; c.Description = evil })
	dir := writeRun(t, res, src+"\n# "+evil)
	html := string(readFile(t, filepath.Join(dir, "report.html")))
	assert.NotContains(t, html, evil)
	assert.NotContains(t, strings.ToLower(html), "<script>alert")
	assertSelfContained(t, "report.html", html)
	assert.Contains(t, html, "&lt;script&gt;alert(1)&lt;/script&gt;")
	assert.Contains(t, html, `\u003cscript\u003ealert(1)\u003c/script\u003e`, "the chart data carries the name JSON-escaped")
}

func TestReportIsByteIdenticalForTheSameRun(t *testing.T) {
	res1, src := runScenario(t, "", nil)
	res2, _ := runScenario(t, "", nil)
	a, b := writeRun(t, res1, src), writeRun(t, res2, src)
	for _, f := range report.Files {
		assert.True(t, bytes.Equal(readFile(t, filepath.Join(a, f)), readFile(t, filepath.Join(b, f))), "%s differs", f)
	}
	pngs, err := filepath.Glob(filepath.Join(a, report.PlotsDir, "*.png"))
	require.NoError(t, err)
	require.NotEmpty(t, pngs)
	for _, p := range pngs {
		q := filepath.Join(b, report.PlotsDir, filepath.Base(p))
		assert.True(t, bytes.Equal(readFile(t, p), readFile(t, q)), "%s differs", filepath.Base(p))
	}
}

// The gonum check: the same figure rendered twice gives the same SVG bytes
// (and PNG bytes), so that report.html can be compared byte for byte.
func TestGonumRenderingIsByteStable(t *testing.T) {
	res, _ := runScenario(t, "", nil)
	cost, err := report.ComputeCost(res, report.DefaultPrices())
	require.NoError(t, err)
	render := func() (svgs, pngs [][]byte) {
		figs, err := report.Figures(res, cost)
		require.NoError(t, err)
		require.NotEmpty(t, figs)
		for _, f := range figs {
			s, err := f.SVG()
			require.NoError(t, err)
			p, err := f.PNG()
			require.NoError(t, err)
			svgs, pngs = append(svgs, s), append(pngs, p)
		}
		return svgs, pngs
	}
	s1, p1 := render()
	s2, p2 := render()
	assert.Equal(t, s1, s2)
	assert.Equal(t, p1, p2)
}

const chromium = "/usr/bin/chromium"

// The report opened in headless Chromium shows every section and logs no
// console error.
func TestReportLoadsInChromium(t *testing.T) {
	if _, err := os.Stat(chromium); err != nil {
		t.Skipf("%s not installed (apt-get install -y chromium): headless check skipped", chromium)
	}
	if testing.Short() {
		t.Skip("headless Chromium is slow: skipped in -short")
	}
	res, src := runScenario(t, "", nil)
	dir := writeRun(t, res, src)
	page := "file://" + filepath.Join(dir, "report.html")
	args := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + t.TempDir(), "--enable-logging=stderr", "--v=0"}
	cmd := exec.Command(chromium, append(args, "--dump-dom", page)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	dom, err := cmd.Output()
	require.NoError(t, err, stderr.String())
	for _, id := range sectionIDs {
		assert.Contains(t, string(dom), `id="`+id+`"`, "section %s", id)
	}
	assert.Contains(t, string(dom), "<svg", "plots are inline SVG")
	assert.NotRegexp(t, `(?i)CONSOLE\(\d+\)|Uncaught|console.*error`, stderr.String(), "console errors")

	shot := filepath.Join(dir, "screenshot.png")
	cmd = exec.Command(chromium, append(args, "--hide-scrollbars", "--screenshot="+shot, "--window-size=1400,3000", page)...)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, string(out))
	info, err := os.Stat(shot)
	require.NoError(t, err)
	assert.Greater(t, info.Size(), int64(20000), "a screenshot with content")
}
