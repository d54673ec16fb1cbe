package report

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/plot"

	"github.com/fleetsim/fleetsim/scenarios"
	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/sim/des"
	"github.com/fleetsim/fleetsim/sim/schema"
)

// runLibrary runs a library scenario; edit may change its config first.
func runLibrary(t *testing.T, name string, edit func(*sim.Config)) *sim.Result {
	t.Helper()
	sc, err := scenarios.Resolve(name)
	require.NoError(t, err)
	if edit != nil {
		edit(sc.Config)
	}
	res, err := sim.New(sc.Config).Run()
	require.NoError(t, err)
	return res
}

func TestWhatHappenedIsBoundedAndSpreadOverTheRun(t *testing.T) {
	res := runLibrary(t, "nasa-http-trace", nil)
	alarms := 0
	for _, e := range res.Events {
		if e.Type == schema.AlarmStateChange {
			alarms++
		}
	}
	require.Greater(t, alarms, 100, "a week of target tracking changes its alarms often")
	shown, left, skipped := whatHappened(res, Faults(res))
	assert.LessOrEqual(t, len(shown), timelineCap)
	assert.Positive(t, left, "a week has more to tell than the cap")
	spans := map[int]bool{}
	for _, h := range shown {
		spans[int(int64(h.first)*10/int64(res.End))] = true
		assert.NotContains(t, h.what, "Alarm", "alarm changes are no rows")
	}
	assert.GreaterOrEqual(t, len(spans), 9, "rows in at least 9 of the run's 10 tenths, not its first hours")
	assert.Equal(t, alarms, skipped[schema.AlarmStateChange], "every alarm change is counted in the note")
	assert.True(t, slices.ContainsFunc(shown, func(h happening) bool { return h.count > 1 && h.last > h.first }),
		"repeats share a row with a count and a time range")
	assert.True(t, slices.IsSortedFunc(shown, func(a, b happening) int { return int(a.first - b.first) }), "in time order")

	rows, note := timeline(res, Faults(res))
	assert.Len(t, rows, len(shown))
	assert.Contains(t, note, "AlarmStateChange")
}

func TestWhatHappenedKeepsTheOutageAndItsEnd(t *testing.T) {
	res := runLibrary(t, "az-outage", nil)
	shown, _, _ := whatHappened(res, Faults(res))
	var whats []string
	for _, h := range shown {
		whats = append(whats, h.what)
		if h.what == "Zone outage" {
			assert.Equal(t, rankFault, h.rank)
			assert.Contains(t, h.detail, "instances failed")
			assert.Contains(t, h.detail, "touched web (healthy ")
		}
	}
	assert.Contains(t, whats, "Zone outage")
	assert.Contains(t, whats, "Zone recovered")
	assert.Contains(t, whats, "Placement failures", "the outage's burst of placement failures")
}

// With more faults than half the cap, the faults of one kind in a tenth of
// the run share a row, and every fault still shows.
func TestPickMergesFaultsOfOneKindWhenThereAreMany(t *testing.T) {
	end := des.At(10 * time.Hour)
	var hs []happening
	for i := range 100 {
		at := des.At(time.Duration(i) * 6 * time.Minute)
		hs = append(hs, happening{key: "fault\x00spot", first: at, last: at, count: 1, rank: rankFault, weight: 1, what: "Spot interruption", where: "asg"})
	}
	shown, left := pick(hs, end)
	assert.LessOrEqual(t, len(shown), timelineCap)
	total := 0
	for _, h := range shown {
		total += h.count
	}
	assert.Equal(t, 100, total, "merged, not dropped")
	assert.Zero(t, left, "none left out")
}

func TestFaultMarksGoOnlyOnServicesTheyTouched(t *testing.T) {
	res := runLibrary(t, "mixed-spot", nil)
	faults := Faults(res)
	var ec2, fargate int
	for _, f := range faults {
		switch f.Kind {
		case FaultSpotInterruption:
			ec2++
			assert.NotContains(t, f.Services, "worker", "worker runs on Fargate: no EC2 interruption touches it")
		case FaultFargateSpot:
			fargate++
			assert.Equal(t, []string{"worker"}, f.Services)
			assert.Equal(t, "service:worker", f.Subject)
		}
		assert.True(t, f.Known)
	}
	require.Positive(t, ec2, "mixed-spot interrupts EC2 Spot instances")
	require.Positive(t, fargate, "and Fargate Spot tasks")
	assert.Equal(t, res.Summary.Instances.SpotInterruptions, ec2+fargate, "summary.json counts both kinds")

	inc := &incidents{deployments: Deployments(res), faults: faults}
	kinds := func(service string) map[string]int {
		out := map[string]int{}
		for _, m := range serviceMarks(res, inc, service) {
			out[m.kind.label]++
		}
		return out
	}
	assert.Equal(t, map[string]int{markFargate.label: fargate}, kinds("worker"))
	web := kinds("web")
	assert.NotContains(t, web, markFargate.label)
	assert.Positive(t, web[markSpot.label])
	assert.LessOrEqual(t, web[markSpot.label], ec2)
	caption := marksCaption(res, inc, "worker")
	for _, f := range faults {
		if f.Kind == FaultFargateSpot {
			assert.Contains(t, caption, "Fargate Spot interruption at "+clock(res, f.Start))
		} else {
			assert.NotContains(t, caption, clock(res, f.Start), "an EC2 interruption is not worker's")
		}
	}

	off := runLibrary(t, "mixed-spot", func(c *sim.Config) { c.Settings.TaskEvents = false })
	inc = &incidents{deployments: Deployments(off), faults: Faults(off)}
	assert.Empty(t, serviceMarks(off, inc, "web"), "task events off: not known, not marked")
	assert.Contains(t, marksCaption(off, inc, "web"), "Faults are not marked")
}

func TestPlacementWaitFigure(t *testing.T) {
	t.Run("nothing waited: no figure, and the plots say why", func(t *testing.T) {
		res := runLibrary(t, "mixed-spot", nil)
		f, err := waitFigure(res)
		require.NoError(t, err)
		assert.Nil(t, f)
		assert.Contains(t, strings.Join(plotsNotes(res), " "), "no task waited")
	})
	t.Run("waits from half a second to ten minutes: a log axis", func(t *testing.T) {
		res := waitsResult(500*time.Millisecond, 2*time.Second, 10*time.Minute)
		f, err := waitFigure(res)
		require.NoError(t, err)
		require.NotNil(t, f)
		assert.IsType(t, plot.LogScale{}, f.plot.X.Scale)
		assert.Contains(t, f.Caption, "logarithmic")
		assert.Equal(t, 1, f.lines)
	})
	t.Run("waits of one order of magnitude: a linear axis", func(t *testing.T) {
		f, err := waitFigure(waitsResult(0, 60*time.Second, 90*time.Second))
		require.NoError(t, err)
		require.NotNil(t, f)
		assert.IsType(t, plot.LinearScale{}, f.plot.X.Scale)
	})
}

// waitsResult is a run whose web tasks waited the given times.
func waitsResult(waits ...time.Duration) *sim.Result {
	cfg := &sim.Config{Start: time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)}
	cfg.Settings.TaskEvents = true
	res := &sim.Result{Config: cfg, End: des.At(time.Hour)}
	for i, w := range waits {
		id := string(rune('a' + i))
		res.Events = append(res.Events,
			schema.Event{Type: schema.TaskStateChange, Subject: id, Group: "service:web", Status: statusProvisioning},
			schema.Event{At: des.At(w), Type: schema.TaskStateChange, Subject: id, Group: "service:web", Status: statusPending})
	}
	return res
}

func TestUtilisationAxisClipsOverload(t *testing.T) {
	x := make([]float64, 1000)
	cpu := make([]float64, 1000)
	for i := range cpu {
		x[i], cpu[i] = float64(i*60), 40+float64(i%20)
	}
	for _, i := range []int{100, 400, 700} {
		cpu[i] = 400 // three minutes of overload
	}
	col := func(m schema.Measure) []float64 {
		if m == schema.ServiceCPU {
			return cpu
		}
		return nil
	}
	f := &Figure{ID: "u"}
	p := newPlot("", "")
	caption, err := f.addUtilisation(p, x, col)
	require.NoError(t, err)
	assert.Equal(t, 100.0, p.Y.Max, "the 99th percentile is 59%: the axis stays at 100%")
	assert.Contains(t, caption, "clipped at 100%")
	assert.Contains(t, caption, "400%")
	assert.Contains(t, caption, "3 samples")

	cpu[100], cpu[400], cpu[700] = 50, 50, 50
	p = newPlot("", "")
	caption, err = f.addUtilisation(p, x, col)
	require.NoError(t, err)
	assert.Empty(t, caption, "nothing clipped")
}

func TestInstancesFigureSplitsOnDemandAndSpot(t *testing.T) {
	res := runLibrary(t, "mixed-spot", nil)
	f, err := instanceFigure(res)
	require.NoError(t, err)
	var labels []string
	for _, e := range f.legend {
		labels = append(labels, e.Label)
	}
	assert.Subset(t, labels, []string{"On-Demand", "Spot"})
	assert.Equal(t, "EC2 instances by purchase option", f.Title)
}

func TestNoFigureIsEmpty(t *testing.T) {
	for _, name := range []string{"web-and-batch", "mixed-spot", "az-outage", "queue-worker", "broken-deploy-rollback", "placement-rules", "burst-scale-out"} {
		t.Run(name, func(t *testing.T) {
			res := runLibrary(t, name, nil)
			cost, err := ComputeCost(res, PricesFor(res.Config))
			require.NoError(t, err)
			figs, err := Figures(res, cost)
			require.NoError(t, err)
			require.NotEmpty(t, figs)
			for _, f := range figs {
				assert.Positive(t, f.lines, "%s has no line", f.ID)
			}
		})
	}
}

// az-outage's report shows the rebalancing after the zone returns: one row
// per service from ECS's STARTED to COMPLETED, with the tasks per zone at
// each end.
func TestWhatHappenedShowsTheAZRebalancing(t *testing.T) {
	res := runLibrary(t, "az-outage", nil)
	shown, _, _ := whatHappened(res, Faults(res))
	rebalancing := map[string]string{}
	for _, h := range shown {
		if h.what == "AZ rebalancing" {
			rebalancing[h.where] = h.detail
		}
	}
	require.Contains(t, rebalancing, "web")
	assert.Contains(t, rebalancing["web"], "tasks per zone 0/9/9 → 6/6/6")
	assert.Contains(t, rebalancing["worker"], "→ 3/3/3")
}

func TestZoneCountsReadsECSRebalancingMessages(t *testing.T) {
	assert.Equal(t, "0/9/9", zoneCounts("service (web) is not AZ balanced with 0 tasks in us-east-1a, 9 tasks in us-east-1b, 9 tasks in us-east-1c. AZ Rebalancing in progress."))
	assert.Equal(t, "6/6", zoneCounts("service (web) is AZ balanced with 6 tasks in us-east-1a, 6 tasks in us-east-1b"))
}
