package sweep

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// smallPlan is 2 variants x 3 seeds of web-and-batch (EC2, Fargate, Fargate
// Spot and a batch job from a JSON task definition), two hours each.
func smallPlan(t *testing.T) *Plan {
	t.Helper()
	p, err := NewPlan(spec(t, "web-and-batch", 3, "services.web.desired_count=4,8"))
	require.NoError(t, err)
	return p
}

// sweepDir runs shard s of the plan with workers and writes its folder.
func sweepDir(t *testing.T, p *Plan, s Shard, workers int) string {
	t.Helper()
	rows, err := Execute(p, p.RunsOf(s), Options{Workers: workers})
	require.NoError(t, err)
	m := p.Manifest
	m.Shard = s
	dir := t.TempDir()
	require.NoError(t, Write(dir, &m, rows))
	return dir
}

func readFile(t *testing.T, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	require.NoError(t, err)
	return string(b)
}

func TestResultsDoNotDependOnTheWorkerCount(t *testing.T) {
	p := smallPlan(t)
	one := sweepDir(t, p, Shard{0, 1}, 1)
	two := sweepDir(t, p, Shard{0, 1}, 2)
	for _, f := range []string{ResultsFile, ReportFile, ManifestFile} {
		assert.Equal(t, readFile(t, one, f), readFile(t, two, f), f)
	}
	csv := readFile(t, one, ResultsFile)
	lines := strings.Split(strings.TrimSpace(csv), "\n")
	require.Len(t, lines, 1+6)
	assert.Equal(t, "run,variant,services.web.desired_count,seed,cost_usd,usd_per_day,p95_wait_s,peak_instances,"+
		"spot_interruptions,tasks_started,placement_failures,events,slo_attainment_pct,objectives_met,objectives,"+
		"best_commitment_usd_per_hour,commitment_saving_usd_per_day,"+
		"compute_usd_per_day,control_plane_usd_per_day,fargate_usd_per_day,idle_usd_per_day,availability_pct", lines[0])
	assert.True(t, strings.HasPrefix(lines[1], "0,1,4,"), lines[1])
	assert.True(t, strings.HasPrefix(lines[6], "5,2,8,"), lines[6])
}

func TestThreeShardsMergedAreTheUnshardedSweepByteForByte(t *testing.T) {
	p := smallPlan(t)
	whole := sweepDir(t, p, Shard{0, 1}, 2)
	var shards []string
	for i := range 3 {
		shards = append(shards, sweepDir(t, p, Shard{i, 3}, 1))
	}
	_, err := os.Stat(filepath.Join(shards[0], ReportFile))
	assert.True(t, os.IsNotExist(err), "a shard writes no report")

	m, rows, err := Merge([]string{shards[2], shards[0], shards[1]}) // any order
	require.NoError(t, err)
	merged := t.TempDir()
	require.NoError(t, Write(merged, m, rows))
	for _, f := range []string{ResultsFile, ReportFile, ManifestFile} {
		assert.Equal(t, readFile(t, whole, f), readFile(t, merged, f), f)
	}
}

func TestMergeRefusesWhatIsNotOneWholeSweep(t *testing.T) {
	p := smallPlan(t)
	var shards []string
	for i := range 3 {
		shards = append(shards, sweepDir(t, p, Shard{i, 3}, 1))
	}
	other, err := NewPlan(spec(t, "web-and-batch", 3, "services.web.desired_count=4,6"))
	require.NoError(t, err)
	foreign := sweepDir(t, other, Shard{1, 3}, 1)

	truncated := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(truncated, ManifestFile), []byte(readFile(t, shards[1], ManifestFile)), 0o644))
	csv := strings.SplitAfter(readFile(t, shards[1], ResultsFile), "\n")
	require.NoError(t, os.WriteFile(filepath.Join(truncated, ResultsFile), []byte(strings.Join(csv[:len(csv)-2], "")), 0o644))

	tests := []struct {
		name string
		dirs []string
		want string
	}{
		{"a shard of another sweep", []string{shards[0], foreign, shards[2]}, `come from different sweeps: axes`},
		{"the same shard twice", []string{shards[0], shards[1], shards[1], shards[2]}, "are both shard 1/3"},
		{"a missing shard", []string{shards[0], shards[2]}, "shard(s) 1 of 3 missing"},
		{"a shard that did not finish", []string{shards[0], truncated, shards[2]}, "lacks run(s) 4"},
		{"a folder that is no sweep", []string{shards[0], t.TempDir()}, "not a sweep folder"},
		{"nothing", nil, "name at least one"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := Merge(tc.dirs)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestMergeRefusesManifestsThatDifferInTheScenarioText(t *testing.T) {
	p := smallPlan(t)
	a := sweepDir(t, p, Shard{0, 2}, 1)
	b := sweepDir(t, p, Shard{1, 2}, 1)
	var m Manifest
	require.NoError(t, json.Unmarshal([]byte(readFile(t, b, ManifestFile)), &m))
	m.ScenarioSHA256 = strings.Repeat("0", 64)
	out, err := json.Marshal(m)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(b, ManifestFile), out, 0o644))
	_, _, err = Merge([]string{a, b})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "scenario_sha256")
}

func TestTheReportEscapesWhatItShows(t *testing.T) {
	p, err := NewPlan(spec(t, "web-and-batch", 2, `description="<b>prod</b>","x&y"`))
	require.NoError(t, err)
	rows, err := Execute(p, p.Runs, Options{Workers: 2})
	require.NoError(t, err)
	var b bytes.Buffer
	require.NoError(t, WriteReport(&b, &p.Manifest, rows))
	html := b.String()
	assert.NotContains(t, html, "<b>prod</b>")
	assert.Contains(t, html, "&lt;b&gt;prod&lt;/b&gt;")
	assert.Contains(t, html, "<svg")
	assert.Contains(t, html, "Cost per day (USD/day)")
	for _, external := range []string{"<script", "<link", "src=", "href="} {
		assert.NotContains(t, html, external, "self-contained")
	}
}
