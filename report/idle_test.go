package report_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/report"
	"github.com/fleetsim/fleetsim/sim"
)

// explainIdle runs a library scenario (edit may change it) and explains
// its idle capacity.
func explainIdle(t *testing.T, name string, edit func(*sim.Config)) (*report.IdleExplanation, *report.Cost) {
	t.Helper()
	res, _ := runScenario(t, name, edit)
	cost, err := report.ComputeCost(res, report.PricesFor(res.Config))
	require.NoError(t, err)
	ex, err := report.ExplainIdle(res, cost)
	require.NoError(t, err)
	return ex, cost
}

// cause finds a cause's share, or fails.
func cause(t *testing.T, ex *report.IdleExplanation, c report.IdleCause) report.IdleShare {
	t.Helper()
	for _, s := range ex.Causes {
		if s.Cause == c {
			return s
		}
	}
	t.Fatalf("no cause %d among %+v", c, ex.Causes)
	return report.IdleShare{}
}

func causes(ex *report.IdleExplanation) []report.IdleCause {
	var out []report.IdleCause
	for _, s := range ex.Causes {
		out = append(out, s.Cause)
	}
	return out
}

func TestIdleCausesAddUpToTheIdleCapacityOfCostJSON(t *testing.T) {
	for _, name := range []string{"web-and-batch", "mixed-spot", "burst-scale-out", "az-outage"} {
		t.Run(name, func(t *testing.T) {
			ex, cost := explainIdle(t, name, nil)
			var sum report.USD
			for _, c := range ex.Causes {
				sum += c.USD
			}
			for _, o := range cost.ByOwner {
				if o.Kind == "idle" {
					assert.InDelta(t, float64(o.USD), float64(ex.USD), 1e-9)
				}
			}
			// causes under 0.05% of the idle cost are not listed
			assert.InDelta(t, float64(ex.USD), float64(sum), 0.001*float64(ex.USD)+0.01)
			assert.True(t, len(ex.Causes) > 0)
		})
	}
}

// The default scenario's idle capacity, 53% of its bill: web's tasks spread
// over three zones on m5.large instances that managed termination
// protection keeps (room), the one spare instance target capacity 90%
// keeps, and the memory a 1:2 task leaves on a 1:3.9 instance.
func TestTheDefaultScenarioSaysWhatHeldItsIdleCapacity(t *testing.T) {
	ex, _ := explainIdle(t, "", nil)
	assert.InDelta(t, 0.531, ex.Share, 0.0005)
	assert.Equal(t, []report.IdleCause{report.IdleRoom, report.IdleTarget, report.IdleMemoryLeft, report.IdleBoot}, causes(ex))
	room := cause(t, ex, report.IdleRoom)
	assert.InDelta(t, 0.566, float64(room.USD/ex.USD), 0.001)
	assert.Equal(t, "on average 4.5 instances ran tasks whose reservations fit on 2.4: web: spread over zones, then binpack memory; "+
		"managed termination protection on ec2-main keeps an instance while it runs a task", room.Short)
	assert.Contains(t, room.Detail, "100% of the time every instance ran a task or was a spare the target or min_size kept (M = N at the target)")
	target := cause(t, ex, report.IdleTarget)
	assert.Equal(t, "target capacity 90% of ec2-main kept 1 instance empty for 24 h", target.Short)
	assert.Equal(t, "an m5.large registers 2,048 CPU units to 7,985 MiB, 1:3.9; web reserves 512 CPU units to 1,024 MiB, 1:2",
		cause(t, ex, report.IdleMemoryLeft).Short)
	assert.Equal(t, "7 launches of 1 min 30 s each", cause(t, ex, report.IdleBoot).Short)
}

// mixed-spot's idle capacity, 71% of its bill: ECS's default service
// placement spreads web over instances, one task on each of up to 30
// m5-class instances, and termination protection keeps every one.
func TestMixedSpotSaysWhatHeldItsIdleCapacity(t *testing.T) {
	ex, _ := explainIdle(t, "mixed-spot", nil)
	assert.InDelta(t, 0.709, ex.Share, 0.0005)
	room := cause(t, ex, report.IdleRoom)
	assert.Equal(t, report.IdleRoom, ex.Causes[0].Cause)
	assert.InDelta(t, 0.841, float64(room.USD/ex.USD), 0.001)
	assert.Equal(t, "on average 17.7 instances ran tasks whose reservations fit on 4.6: web: spread over zones, then spread over instances "+
		"(ECS's default for services); managed termination protection on ec2-mixed keeps an instance while it runs a task", room.Short)
	assert.Equal(t, "target capacity 90% of ec2-mixed kept 1.8 instances empty for 22 h", cause(t, ex, report.IdleTarget).Short)
	assert.Contains(t, cause(t, ex, report.IdleMemoryLeft).Short, "web reserves 1,024 CPU units to 2,048 MiB, 1:2")
}

func TestEachConfigurationCauseIsNamedWithItsNumbers(t *testing.T) {
	t.Run("min_size 6 keeps empty instances at night", func(t *testing.T) {
		ex, _ := explainIdle(t, "", func(c *sim.Config) { c.Groups[0].MinSize, c.Groups[0].DesiredCapacity = 6, 6 })
		assert.Equal(t, "min_size 6 of asg-main kept 2.9 instances empty for 12 h", cause(t, ex, report.IdleMinSize).Short)
	})
	t.Run("target capacity 100% keeps no spare", func(t *testing.T) {
		ex, _ := explainIdle(t, "", func(c *sim.Config) { c.CapacityProviders[0].ManagedScaling.TargetCapacity = 100 })
		assert.NotContains(t, causes(ex), report.IdleTarget)
		assert.NotContains(t, causes(ex), report.IdleMinSize)
	})
	t.Run("without managed scaling the group's desired capacity keeps them", func(t *testing.T) {
		ex, _ := explainIdle(t, "", func(c *sim.Config) { c.CapacityProviders[0].ManagedScaling = nil })
		assert.Contains(t, causes(ex), report.IdleFixed)
		assert.NotContains(t, causes(ex), report.IdleWarmup)
		assert.NotContains(t, causes(ex), report.IdleScaleIn)
	})
}

// The report says why, in a sentence under the cost cards, and the cost
// section has a row per cause; a run on Fargate alone says nothing of idle
// EC2 capacity.
func TestTheReportExplainsTheIdleShareUnderTheCards(t *testing.T) {
	for _, tc := range []struct{ scenario, lead, first string }{
		{"", "Why 53.1% of the bill is idle EC2 capacity ($8.47 of $15.95):", "56.6% room on instances running tasks: on average 4.5 instances"},
		{"mixed-spot", "Why 70.9% of the bill is idle EC2 capacity ($38.05 of $53.67):", "84.1% room on instances running tasks: on average 17.7 instances"},
	} {
		t.Run(cmpName(tc.scenario), func(t *testing.T) {
			res, src := runScenario(t, tc.scenario, nil)
			html := string(readFile(t, filepath.Join(writeRun(t, res, src), "report.html")))
			summary := html[strings.Index(html, `<section id="summary">`):strings.Index(html, `<section id="plots">`)]
			assert.Contains(t, summary, tc.lead)
			assert.Contains(t, summary, tc.first)
			assert.Contains(t, html, `id="idle-capacity-causes"`)
			assert.Contains(t, html, `<figure id="idle-capacity">`)
		})
	}
	res, src := runScenario(t, "queue-worker", nil)
	html := string(readFile(t, filepath.Join(writeRun(t, res, src), "report.html")))
	assert.NotContains(t, html, "idle EC2 capacity (")
	assert.NotContains(t, html, `<figure id="idle-capacity">`)
}

func cmpName(s string) string {
	if s == "" {
		return "default"
	}
	return s
}
