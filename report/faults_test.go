package report_test

import (
	"bytes"
	"github.com/fleetsim/fleetsim/sim/schema"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/report"
	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/sim/des"
	"github.com/fleetsim/fleetsim/sim/ecs"
)

// minutes is a per-minute series of one service, web: its healthy and
// desired counts from minute 0.
type minutes struct{ healthy, desired []float64 }

// result builds a run of len(healthy) minutes with web's series and events,
// task events on: one web task runs on i-1 from the start.
func (m minutes) result(events ...schema.Event) *sim.Result {
	times := make([]des.Time, len(m.healthy))
	for i := range times {
		times[i] = des.At(time.Duration(i) * time.Minute)
	}
	cfg := &sim.Config{Start: time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC), Services: []ecs.ServiceConfig{{Name: "web"}}}
	cfg.Settings.TaskEvents = true
	placed := schema.Event{Type: schema.TaskStateChange, Subject: "t-1", Group: "service:web", Status: "PENDING", Instance: "i-1"}
	return &sim.Result{
		Config: cfg,
		Events: append([]schema.Event{placed}, events...),
		End:    times[len(times)-1],
		Series: schema.Series{Times: times, Columns: []schema.Column{
			{Name: schema.ServiceColumn("web", schema.ServiceHealthy), Values: m.healthy},
			{Name: schema.ServiceColumn("web", schema.ServiceDesired), Values: m.desired}}},
	}
}

// flat is n minutes at v.
func flat(n int, v float64) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = v
	}
	return out
}

// steps joins runs of (minutes, value).
func steps(runs ...[2]float64) []float64 {
	var out []float64
	for _, r := range runs {
		out = append(out, flat(int(r[0]), r[1])...)
	}
	return out
}

func failed(at time.Duration, id string) schema.Event {
	return schema.Event{At: des.At(at), Type: schema.InstanceFailed, Subject: id, Group: "asg"}
}

func TestTimeToRecover(t *testing.T) {
	tests := []struct {
		name          string
		series        minutes
		want          []report.Recovery
		wantInstances int
	}{
		{
			name:   "10 healthy, 3 lost at minute 5, back at 10 at minute 12 -> recovers after 7 minutes",
			series: minutes{healthy: steps([2]float64{5, 10}, [2]float64{7, 7}, [2]float64{8, 10}), desired: flat(20, 10)},
			want:   []report.Recovery{{Service: "web", Before: 10, Lowest: 7, Recovered: true, After: 7 * time.Minute}},
		},
		{
			name:   "the lowest point is the deepest minute, not the first one down",
			series: minutes{healthy: steps([2]float64{5, 10}, [2]float64{2, 8}, [2]float64{3, 6}, [2]float64{10, 10}), desired: flat(20, 10)},
			want:   []report.Recovery{{Service: "web", Before: 10, Lowest: 6, Recovered: true, After: 5 * time.Minute}},
		},
		{
			name:   "10 healthy, 3 lost at minute 5, never back -> not recovered",
			series: minutes{healthy: steps([2]float64{5, 10}, [2]float64{15, 7}), desired: flat(20, 10)},
			want:   []report.Recovery{{Service: "web", Before: 10, Lowest: 7}},
		},
		{
			name:   "scaled in to 8 while down: back at its desired count 8 at minute 9 -> 4 minutes",
			series: minutes{healthy: steps([2]float64{5, 10}, [2]float64{4, 6}, [2]float64{11, 8}), desired: steps([2]float64{7, 10}, [2]float64{13, 8})},
			want:   []report.Recovery{{Service: "web", Before: 10, Lowest: 6, Recovered: true, After: 4 * time.Minute}},
		},
		{
			name:   "a drop more than 5 minutes after the fault is not the fault's: web's count held",
			series: minutes{healthy: steps([2]float64{12, 10}, [2]float64{8, 7}), desired: flat(20, 10)},
			want:   []report.Recovery{{Service: "web", Held: true}},
		},
		{
			name:   "no drop at all: web was touched and its count held",
			series: minutes{healthy: flat(20, 10), desired: flat(20, 10)},
			want:   []report.Recovery{{Service: "web", Held: true}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := tc.series.result(failed(5*time.Minute, "i-1"), failed(5*time.Minute, "i-2"))
			faults := report.Faults(res)
			require.Len(t, faults, 1, "two failures at one instant are one fault")
			assert.Equal(t, report.FaultInstanceFailure, faults[0].Kind)
			assert.Equal(t, []string{"i-1", "i-2"}, faults[0].Instances)
			assert.Equal(t, []string{"web"}, faults[0].Services, "web's task was on i-1")
			assert.Equal(t, tc.want, faults[0].Recovery)
		})
	}
}

func TestFaultsGroupOutagesAndSpotStorms(t *testing.T) {
	res := minutes{healthy: flat(90, 10), desired: flat(90, 10)}.result(
		schema.Event{At: des.At(10 * time.Minute), Type: schema.ZoneOutage, Subject: "us-east-1a"},
		schema.Event{At: des.At(10 * time.Minute), Type: schema.InstanceFailed, Subject: "i-1", Group: "asg"},
		schema.Event{At: des.At(40 * time.Minute), Type: schema.SpotInterruptionNotice, Subject: "i-2", Group: "asg"},
		schema.Event{At: des.At(40 * time.Minute), Type: schema.SpotInterruptionNotice, Subject: "i-3", Group: "asg"},
		schema.Event{At: des.At(70 * time.Minute), Type: schema.ZoneRecovered, Subject: "us-east-1a"},
		schema.Event{At: des.At(80 * time.Minute), Type: schema.SpotInterruptionNotice, Subject: "i-4", Group: "asg"},
	)
	faults := report.Faults(res)
	require.Len(t, faults, 3)
	assert.Equal(t, "zone outage us-east-1a", faults[0].Label())
	assert.Equal(t, []string{"i-1"}, faults[0].Instances, "the outage's instance is not a fault of its own")
	assert.Equal(t, des.At(70*time.Minute), faults[0].End)
	assert.Equal(t, "Spot interruption storm (2 instances)", faults[1].Label())
	assert.Equal(t, "Spot interruption", faults[2].Label(), "one notice 40 minutes later is not part of the storm")
}

func TestDeploymentsTableListsFailedAndRolledBackDeployments(t *testing.T) {
	res, src := runScenario(t, "broken-deploy-rollback", nil)
	deps := report.Deployments(res)
	var got []string
	for _, d := range deps {
		got = append(got, d.TaskDefinition+" "+d.Outcome)
	}
	assert.Equal(t, []string{"payments:41 completed", "payments:42 failed, rolled back", "payments:41 completed"}, got)
	assert.True(t, deps[0].Initial, "the first deployment comes with the service")
	assert.True(t, deps[2].Rollback)
	assert.Contains(t, deps[1].Reason, "circuit breaker")

	html := string(readFile(t, filepath.Join(writeRun(t, res, src), "report.html")))
	section := between(t, html, `<section id="deployments">`, `</section>`)
	assert.Contains(t, section, "<td>payments</td><td class=\"text\">payments:42</td>")
	assert.Contains(t, section, "failed, rolled back")
	assert.Contains(t, section, "rollback completed")
	assert.Contains(t, section, "rollback to the last completed deployment")
}

func TestReportShowsEachFaultsTimeToRecover(t *testing.T) {
	res, src := runScenario(t, "az-outage", nil)
	faults := report.Faults(res)
	require.Len(t, faults, 1)
	assert.Equal(t, report.FaultZoneOutage, faults[0].Kind)
	assert.True(t, faults[0].Recovered)
	var services []string
	for _, r := range faults[0].Recovery {
		services = append(services, r.Service)
		assert.True(t, r.Recovered, "%s recovers", r.Service)
		assert.Less(t, r.Lowest, r.Before, "%s lost healthy tasks", r.Service)
	}
	assert.Equal(t, []string{"web", "worker"}, services)
	html := string(readFile(t, filepath.Join(writeRun(t, res, src), "report.html")))
	section := between(t, html, `<section id="deployments">`, `</section>`)
	assert.Contains(t, section, "zone outage us-east-1a")
	assert.NotContains(t, section, "not recovered")
}

// Figures with deployments and faults marked, and stacked panels, render to
// the same bytes from two runs of the same scenario.
func TestServiceFiguresRenderByteIdenticallyTwice(t *testing.T) {
	for _, name := range []string{"rolling-deploy-at-peak", "broken-deploy-rollback", "az-outage"} {
		t.Run(name, func(t *testing.T) {
			render := func() (ids []string, svgs, pngs [][]byte) {
				res, _ := runScenario(t, name, nil)
				cost, err := report.ComputeCost(res, report.DefaultPrices())
				require.NoError(t, err)
				figs, err := report.Figures(res, cost)
				require.NoError(t, err)
				for _, f := range figs {
					s, err := f.SVG()
					require.NoError(t, err)
					p, err := f.PNG()
					require.NoError(t, err)
					ids, svgs, pngs = append(ids, f.ID), append(svgs, s), append(pngs, p)
				}
				return ids, svgs, pngs
			}
			ids, s1, p1 := render()
			_, s2, p2 := render()
			assert.Contains(t, ids, "service-1")
			for i := range s1 {
				assert.True(t, bytes.Equal(s1[i], s2[i]), "%s SVG differs", ids[i])
				assert.True(t, bytes.Equal(p1[i], p2[i]), "%s PNG differs", ids[i])
			}
		})
	}
}

func TestLoadFigureOnlyForServicesWithALoad(t *testing.T) {
	res, _ := runScenario(t, "rolling-deploy-at-peak", nil)
	cost, err := report.ComputeCost(res, report.DefaultPrices())
	require.NoError(t, err)
	figs, err := report.Figures(res, cost)
	require.NoError(t, err)
	var ids []string
	for _, f := range figs {
		ids = append(ids, f.ID)
	}
	assert.Contains(t, ids, "service-1-load", "api has a diurnal load")

	res, _ = runScenario(t, "broken-deploy-rollback", nil)
	figs, err = report.Figures(res, cost)
	require.NoError(t, err)
	for _, f := range figs {
		assert.NotEqual(t, "service-1-load", f.ID, "payments has no load")
	}
}

func TestReportWithoutServiceSeriesSaysWhyItHasNoServiceFigures(t *testing.T) {
	res, src := runScenario(t, "az-outage", func(c *sim.Config) { c.Settings.ServiceSeries = false })
	dir := writeRun(t, res, src)
	html := string(readFile(t, filepath.Join(dir, "report.html")))
	assert.NotContains(t, html, `id="service-1"`)
	assert.NotContains(t, html, `id="service-1-load"`)
	plots := between(t, html, `<section id="plots">`, `</section>`)
	assert.Contains(t, plots, "per-service figures")
	assert.Contains(t, plots, "service_series = false")
	faults := between(t, html, `<section id="deployments">`, `</section>`)
	assert.Contains(t, faults, "zone outage us-east-1a")
	assert.Contains(t, faults, "no per-service series")
	assert.Contains(t, faults, "99.", "availability comes from the summary, series or not")
}

// between is the part of s from the first from to the next to.
func between(t *testing.T, s, from, to string) string {
	t.Helper()
	i := strings.Index(s, from)
	require.GreaterOrEqual(t, i, 0, "%q not found", from)
	j := strings.Index(s[i:], to)
	require.GreaterOrEqual(t, j, 0, "%q not found after %q", to, from)
	return s[i : i+j]
}
