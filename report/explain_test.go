package report_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/report"
	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/sim/ecs"
)

// explainFile reads a run's explain.json.
func explainFile(t *testing.T, dir string) sim.Explanations {
	t.Helper()
	var ex sim.Explanations
	require.NoError(t, json.Unmarshal(readFile(t, filepath.Join(dir, report.ExplainFile)), &ex))
	return ex
}

// placedOn maps each subject of events.csv rows of type typ (and status,
// when given) to the row's instance column: where the pod was bound or the
// task placed.
func placedOn(t *testing.T, dir, typ, status string) map[string]string {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader(readFile(t, filepath.Join(dir, "events.csv")))).ReadAll()
	require.NoError(t, err)
	out := map[string]string{}
	for _, r := range rows[1:] {
		if r[2] == typ && (status == "" || r[5] == status) {
			out[r[3]] = r[7]
		}
	}
	return out
}

func TestExplainJSONNamesTheNodeEachExplainedPodWasBoundTo(t *testing.T) {
	res, src := runScenario(t, "eks-web-and-nightly", nil) // explain = [{ name_prefix = "nightly-report", limit = 3 }]
	dir := writeRun(t, res, src)
	ex := explainFile(t, dir)
	require.Len(t, ex.Pods, 3, "the limit")
	bound := placedOn(t, dir, "Scheduled", "")
	for _, pe := range ex.Pods {
		assert.Regexp(t, `^default/nightly-report-`, pe.Pod)
		require.NotEmpty(t, pe.Node, pe.Pod)
		assert.Equal(t, bound[pe.Pod], pe.Node, "%s: explain.json's node is where events.csv says it was bound", pe.Pod)
		assert.Equal(t, pe.Node, pe.Cycle.Chosen)
		assert.Contains(t, pe.Cycle.Best, pe.Node, "the chosen node has the best total")
		assert.Len(t, pe.Cycle.Nodes, pe.Cycle.NumNodes, "every node, not only the feasible")
	}
	html := string(readFile(t, filepath.Join(dir, "report.html")))
	assert.Contains(t, html, `<h2>Why pods went where they did</h2>`)

	again, _ := runScenario(t, "eks-web-and-nightly", nil)
	assert.Equal(t, readFile(t, filepath.Join(dir, report.ExplainFile)), readFile(t, filepath.Join(writeRun(t, again, src), report.ExplainFile)),
		"the same seed gives the same explain.json")
	assert.Contains(t, html, `<tr class="chosen"><td>`+ex.Pods[0].Node+`</td>`, "the chosen node's row is highlighted")
}

func TestExplainJSONNamesTheInstanceEachExplainedTaskWasPlacedOn(t *testing.T) {
	res, src := runScenario(t, "", func(c *sim.Config) { c.Explain = []ecs.ExplainSelector{{Service: "web", Limit: 3}} })
	dir := writeRun(t, res, src)
	ex := explainFile(t, dir)
	require.Len(t, ex.Tasks, 3)
	placed := placedOn(t, dir, "TaskStateChange", "PENDING")
	for _, te := range ex.Tasks {
		assert.Equal(t, "service:web", te.Group)
		require.NotEmpty(t, te.Instance, te.Task)
		assert.Equal(t, placed[te.Task], te.Instance, "task %s: explain.json's instance is where events.csv says it went", te.Task)
		assert.Equal(t, []string{te.Instance}, te.Placement.Best, "no random strategy: the chosen instance ranks first")
		for _, iv := range te.Placement.Instances {
			assert.Equal(t, iv.Instance == te.Instance, iv.Rank == 1, iv.Instance)
		}
	}
	html := string(readFile(t, filepath.Join(dir, "report.html")))
	assert.Contains(t, html, `<h2>Why tasks went where they did</h2>`)
}

// explainSection matches the report's explain section and the nav link
// to it, the only parts of report.html that explaining adds.
var explainSection = regexp.MustCompile(`(?s)<section id="explain">.*?</section>\n|<a href="#explain">[^<]*</a>`)

// TestExplainingChangesNothingElseTheRunWrites: with and without explain,
// every file but explain.json is byte-identical (report.html once its
// explain section is taken out), for EKS and for ECS; without explain
// there is no explain.json.
func TestExplainingChangesNothingElseTheRunWrites(t *testing.T) {
	for _, tc := range []struct {
		name, scenario string
		off, on        func(*sim.Config)
	}{
		{"EKS", "eks-web-and-nightly", func(c *sim.Config) { e := *c.EKS; e.Explain = nil; c.EKS = &e }, nil},
		{"ECS", "", nil, func(c *sim.Config) { c.Explain = []ecs.ExplainSelector{{NamePrefix: "web"}, {Job: "etl", Limit: 2}} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resOff, src := runScenario(t, tc.scenario, tc.off)
			resOn, _ := runScenario(t, tc.scenario, tc.on)
			off, on := writeRun(t, resOff, src), writeRun(t, resOn, src)
			assert.NoFileExists(t, filepath.Join(off, report.ExplainFile))
			assert.FileExists(t, filepath.Join(on, report.ExplainFile))
			pngs, err := filepath.Glob(filepath.Join(off, report.PlotsDir, "*.png"))
			require.NoError(t, err)
			require.NotEmpty(t, pngs)
			files := append([]string{}, report.Files...)
			for _, png := range pngs {
				files = append(files, filepath.Join(report.PlotsDir, filepath.Base(png)))
			}
			for _, f := range files {
				a, b := readFile(t, filepath.Join(off, f)), readFile(t, filepath.Join(on, f))
				if f == "report.html" {
					require.Regexp(t, explainSection, string(b))
					b = explainSection.ReplaceAll(b, nil)
				}
				assert.True(t, bytes.Equal(a, b), "%s differs with explain", f)
			}
		})
	}
}

func TestARunFolderWithExplainJSONIsARunFolder(t *testing.T) {
	res, src := runScenario(t, "eks-web-and-nightly", nil)
	dir := writeRun(t, res, src)
	ok, why, err := report.IsRunFolder(dir)
	require.NoError(t, err)
	assert.True(t, ok, why)
	require.NoError(t, report.WriteRun(dir, res, src), "a run writes over an earlier run that explained")
	_, err = os.Stat(filepath.Join(dir, report.ExplainFile))
	require.NoError(t, err)
}
