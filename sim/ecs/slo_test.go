package ecs

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestObjectiveVerdictsAndErrorBudgets(t *testing.T) {
	f := func(x float64) *float64 { return &x }
	tests := []struct {
		name             string
		target, attained float64
		verdict          string
		used             *float64
	}{
		// budget = 100 - 99.9 = 0.1 pp; used = (100 - attained) / 0.1.
		{"target 99.9, attained 99.95: 0.05 of 0.1 pp, pass with 50% used", 99.9, 99.95, Pass, f(50)},
		{"target 99.9, attained 99.8: 0.2 of 0.1 pp, fail with 200% used", 99.9, 99.8, Fail, f(200)},
		{"target 99.9, attained exactly 99.9: the whole budget, still a pass", 99.9, 99.9, Pass, f(100)},
		{"target 99, nothing missed: none used", 99, 100, Pass, f(0)},
		{"target 95, attained 90: twice the 5 pp budget", 95, 90, Fail, f(200)},
		{"target 100, nothing missed: no budget and none needed", 100, 100, Pass, f(0)},
		{"target 100, one miss: no budget to measure against (null)", 100, 99.99, Fail, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := Objective(ObjectiveLatency, "250ms", tc.target, tc.attained)
			assert.Equal(t, tc.verdict, o.Verdict)
			assert.Equal(t, tc.used, o.BudgetUsedPct)
			assert.Equal(t, tc.target, o.TargetPct)
			assert.Equal(t, "250ms", o.Threshold)
		})
	}
}

func TestObjectivesMetCountsThePasses(t *testing.T) {
	s := judge([]SLOObjective{Objective(ObjectiveLatency, "", 99.9, 99.95), Objective(ObjectiveAvailability, "", 99.95, 99.0)})
	require.NotNil(t, s)
	assert.Equal(t, 1, s.Met)
	assert.Equal(t, Fail, s.Verdict, "one failing objective fails the service")
	assert.Nil(t, judge(nil), "no objectives, no slo object")
}

func TestTheP95WaitObjectiveIsTheShareOfWaitsWithinIt(t *testing.T) {
	// 20 waits of 1 s..20 s: the nearest-rank p95 is the 19th, 19 s.
	var l waitLog
	for i := 1; i <= 20; i++ {
		l.add(time.Duration(i) * time.Second)
	}
	assert.Equal(t, 95.0, l.withinPct(19*time.Second, 0), "p95 = 19 s: exactly 95% within 19 s, a pass")
	assert.Equal(t, 90.0, l.withinPct(18*time.Second, 0), "p95 = 19 s > 18 s: 90% within, a fail")
	assert.Equal(t, Pass, Objective(ObjectivePlacementWait, "19s", P95WaitTargetPct, l.withinPct(19*time.Second, 0)).Verdict)
	assert.Equal(t, Fail, Objective(ObjectivePlacementWait, "18s", P95WaitTargetPct, l.withinPct(18*time.Second, 0)).Verdict)
	assert.InDelta(t, 19.0/21*100, l.withinPct(19*time.Second, 1), 1e-9, "a task still waiting past 19 s at the end is one more late")
	var none waitLog
	assert.Equal(t, 100.0, none.withinPct(time.Second, 0), "no task waited: none late")
}

func TestAServiceTooBigForItsClusterFailsItsCapacityAndAvailabilityObjectives(t *testing.T) {
	// Two m5.large hold 8 tasks of 512 CPU units: of 12, four never place.
	slo := &SLOConfig{AvailabilityTargetPct: 99.9, P95Wait: time.Minute}
	w, fleet, eng := newWorld(t, 2, ServiceConfig{Name: "web", DesiredCount: 12, MinimumHealthyPercent: 100, MaximumPercent: 200,
		ProviderStrategy: []StrategyItem{{Provider: "cp", Weight: 1}}, SLO: slo})
	require.NoError(t, runWorld(w, fleet, eng))
	sv := w.Outcome().Services[0]
	require.NotNil(t, sv.SLO)
	assert.Equal(t, Fail, sv.SLO.Verdict)
	assert.Equal(t, 0, sv.SLO.Met)
	require.Len(t, sv.SLO.Objectives, 2)
	avail, wait := sv.SLO.Objectives[0], sv.SLO.Objectives[1]
	assert.Equal(t, ObjectiveAvailability, avail.Name)
	assert.Equal(t, sv.AvailabilityPct, avail.AttainedPct, "availability is judged as the summary measures it")
	assert.Equal(t, Fail, avail.Verdict)
	assert.Equal(t, ObjectivePlacementWait, wait.Name)
	assert.Equal(t, "1m0s", wait.Threshold)
	assert.Equal(t, Fail, wait.Verdict, "the four tasks never placed are late, though the summary's p95 of the placed is %v s", sv.PlacementWait.P95)
	assert.InDelta(t, 8.0/12*100, wait.AttainedPct, 1e-3, "8 placed at once, 4 never")
}
