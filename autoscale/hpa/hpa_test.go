package hpa

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/sim/des"
)

const sec = des.Time(time.Second)

// view builds a sync's input: pods with CPU requests of 1000m, started and
// Ready 10 minutes before now (past the CPU initialization period).
type view struct {
	in Input
}

func newView(now des.Time, replicas int32) *view {
	return &view{in: Input{Now: now, SpecReplicas: replicas, StatusReplicas: replicas}}
}

// ready adds a Ready pod using milli of CPU (a sample taken now, 15 s
// window) and its request of 1000m.
func (v *view) ready(milli ...int64) *view {
	for _, m := range milli {
		v.in.Pods = append(v.in.Pods, Pod{Phase: PodRunning, Started: true, StartTime: v.in.Now - 600*sec,
			ReadyCondition: true, Ready: true, ReadyChanged: v.in.Now - 590*sec, CPURequest: 1000, MemoryRequest: 1000})
		v.sample(Sample{OK: true, Value: m, Timestamp: v.in.Now, Window: 15 * time.Second})
	}
	return v
}

// missing adds Running Ready pods without a sample.
func (v *view) missing(n int) *view {
	for range n {
		v.in.Pods = append(v.in.Pods, Pod{Phase: PodRunning, Started: true, StartTime: v.in.Now - 600*sec,
			ReadyCondition: true, Ready: true, ReadyChanged: v.in.Now - 590*sec, CPURequest: 1000, MemoryRequest: 1000})
		v.sample(Sample{})
	}
	return v
}

// pending adds pods not yet Running.
func (v *view) pending(n int) *view {
	for range n {
		v.in.Pods = append(v.in.Pods, Pod{Phase: PodPending, CPURequest: 1000, MemoryRequest: 1000})
		v.sample(Sample{})
	}
	return v
}

func (v *view) sample(s Sample) {
	if len(v.in.Metrics) == 0 {
		v.in.Metrics = []MetricData{{}}
	}
	v.in.Metrics[0].Pods = append(v.in.Metrics[0].Pods, s)
}

func cpuAt(pct int32) Metric {
	return Metric{Type: Resource, Name: CPU, Target: Utilization, AverageUtilization: pct}
}

func i32(v int32) *int32 { return &v }

func newHPA(t *testing.T, s Spec) *Autoscaler {
	t.Helper()
	a, err := New(s, Controller{})
	require.NoError(t, err)
	return a
}

// The algorithm (HPA docs, "Algorithm details"): desiredReplicas =
// ceil(currentReplicas x currentMetricValue / desiredMetricValue), skipped
// when the ratio is within the 0.1 tolerance.
func TestTolerance(t *testing.T) {
	for _, tc := range []struct {
		name  string
		usage int64
		want  int32
	}{
		{"ratio 1.05 (63% of a 60% target) is within 0.1: 10 stay 10", 630, 10},
		{"ratio 1.2 (72% of 60%) scales 10 -> 12", 720, 12},
		{"ratio 0.95 (57% of 60%) is within 0.1: 10 stay 10", 570, 10},
		{"ratio 0.85 (51% of 60%) -> ceil(8.5) = 9", 510, 9},
		{"ratio 1.1 exactly (66% of 60%) is within: 10 stay 10", 660, 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := time.Duration(0) // no scale-down window: the ratio alone decides
			a := newHPA(t, Spec{MaxReplicas: 100, Metrics: []Metric{cpuAt(60)}, Behavior: &Behavior{ScaleDown: &Rules{StabilizationWindow: &w}}})
			v := newView(0, 10)
			for range 10 {
				v.ready(tc.usage)
			}
			d := a.Reconcile(v.in)
			require.NoError(t, d.Err)
			assert.Equal(t, tc.want, d.Proposal)
			assert.Equal(t, tc.want, d.Desired)
			assert.Equal(t, tc.want != 10, d.Rescale)
		})
	}
}

// The docs' worked example: a current 200m against a desired 100m doubles
// the replicas; 50m against 100m halves them.
func TestPodsMetricDocExample(t *testing.T) {
	for _, tc := range []struct {
		name  string
		usage int64
		want  int32
	}{
		{"200m vs 100m: 4 -> 8", 200, 8},
		{"50m vs 100m: 4 -> 2", 50, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := time.Duration(0)
			a := newHPA(t, Spec{MaxReplicas: 10, Metrics: []Metric{{Type: Pods, Name: "packets-per-second", Target: AverageValue, TargetMilli: 100}},
				Behavior: &Behavior{ScaleDown: &Rules{StabilizationWindow: &w}}})
			v := newView(0, 4).ready(tc.usage, tc.usage, tc.usage, tc.usage)
			d := a.Reconcile(v.in)
			require.NoError(t, d.Err)
			assert.Equal(t, tc.want, d.Desired)
			assert.Equal(t, "pods metric packets-per-second", d.Metric)
		})
	}
}

// Missing metrics: on a scale-up the pods without a sample count as using
// 0% of their request, on a scale-down 100%.
func TestMissingMetrics(t *testing.T) {
	for _, tc := range []struct {
		name    string
		usage   []int64
		missing int
		want    int32
	}{
		{"scale-up: 2 pods at 80% of a 50% target and 1 missing at 0%: 53% is within tolerance, 3 stay 3 (ignoring it: ceil(1.6 x 2) = 4)",
			[]int64{800, 800}, 1, 3},
		{"scale-up: 3 pods at 100% and 1 missing: 75% of 50% -> ceil(1.5 x 4) = 6", []int64{1000, 1000, 1000}, 1, 6},
		{"scale-down: 3 pods at 10% and 1 missing at 100%: 32% of 50% -> ceil(0.64 x 4) = 3 (ignoring it: 1)",
			[]int64{100, 100, 100}, 1, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := newHPA(t, Spec{MaxReplicas: 20, Metrics: []Metric{cpuAt(50)}})
			n := int32(len(tc.usage) + tc.missing)
			v := newView(0, n).ready(tc.usage...).missing(tc.missing)
			d := a.Reconcile(v.in)
			require.NoError(t, d.Err)
			assert.Equal(t, tc.want, d.Proposal)
		})
	}
}

// Not-ready pods: 0% on a scale-up, left out on a scale-down.
func TestNotReadyPods(t *testing.T) {
	t.Run("scale-up: 1 pod at 100% of a 50% target and 3 pending at 0%: 25% reverses the direction, 4 stay 4 (ignoring them: 2)", func(t *testing.T) {
		a := newHPA(t, Spec{MaxReplicas: 20, Metrics: []Metric{cpuAt(50)}})
		d := a.Reconcile(newView(0, 4).ready(1000).pending(3).in)
		require.NoError(t, d.Err)
		assert.Equal(t, int32(4), d.Proposal)
	})
	t.Run("scale-up: 2 pods at 100% and 1 pending: 66% of 50% -> ceil(1.32 x 3) = 4", func(t *testing.T) {
		a := newHPA(t, Spec{MaxReplicas: 20, Metrics: []Metric{cpuAt(50)}})
		d := a.Reconcile(newView(0, 3).ready(1000, 1000).pending(1).in)
		assert.Equal(t, int32(4), d.Proposal)
	})
	t.Run("scale-down: 2 pods at 10% and 2 pending: the pending are left out, ceil(0.2 x 2) = 1", func(t *testing.T) {
		a := newHPA(t, Spec{MaxReplicas: 20, Metrics: []Metric{cpuAt(50)}})
		d := a.Reconcile(newView(0, 4).ready(100, 100).pending(2).in)
		assert.Equal(t, int32(1), d.Proposal)
	})
}

// The CPU initialization period (5 min) and the initial readiness delay
// (30 s): a pod's CPU sample counts once it has been Ready for a metric
// window within the period; after it, a pod not Ready counts unless it
// never became Ready within the delay.
func TestCPUReadiness(t *testing.T) {
	now := 1000 * sec
	for _, tc := range []struct {
		name    string
		pod     Pod
		sample  Sample
		counted bool
	}{
		{"started 1 min ago, Ready 20 s ago, sample now over 15 s: counted",
			Pod{StartTime: now - 60*sec, Ready: true, ReadyChanged: now - 20*sec}, Sample{Timestamp: now, Window: 15 * time.Second}, true},
		{"started 1 min ago, Ready 10 s ago, sample now over 15 s: too early, unready",
			Pod{StartTime: now - 60*sec, Ready: true, ReadyChanged: now - 10*sec}, Sample{Timestamp: now, Window: 15 * time.Second}, false},
		{"started 1 min ago, not Ready: unready",
			Pod{StartTime: now - 60*sec, Ready: false, ReadyChanged: now - 50*sec}, Sample{Timestamp: now, Window: 15 * time.Second}, false},
		{"started 10 min ago, not Ready since 10 s after start (within 30 s): never became Ready, unready",
			Pod{StartTime: now - 600*sec, Ready: false, ReadyChanged: now - 590*sec}, Sample{Timestamp: now, Window: 15 * time.Second}, false},
		{"started 10 min ago, not Ready since 60 s after start (it had been Ready): counted",
			Pod{StartTime: now - 600*sec, Ready: false, ReadyChanged: now - 540*sec}, Sample{Timestamp: now, Window: 15 * time.Second}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.pod
			p.Phase, p.Started, p.ReadyCondition, p.CPURequest = PodRunning, true, true, 1000
			s := tc.sample
			s.OK, s.Value = true, 100
			// One steady pod at 100% beside it, against a 50% target: the
			// pod under test at 10% drags the ratio below 1 when counted.
			v := newView(now, 2).ready(1000)
			v.in.Pods = append(v.in.Pods, p)
			v.in.Metrics[0].Pods = append(v.in.Metrics[0].Pods, s)
			a := newHPA(t, Spec{MaxReplicas: 20, Metrics: []Metric{cpuAt(50)}})
			d := a.Reconcile(v.in)
			require.NoError(t, d.Err)
			if tc.counted {
				assert.Equal(t, int32(55), d.Statuses[0].Utilization, "(1000 + 100) / 2000")
			} else {
				assert.Equal(t, int32(100), d.Statuses[0].Utilization, "the pod is left out")
			}
		})
	}
}

// The scale-down stabilization window (300 s by default): the highest
// recommendation of the last 300 s is used, so a drop waits for it. At the
// boundary the two paths differ as horizontal.go does: without a behavior a
// recommendation exactly 300 s old still counts (not Before the cutoff),
// with one it no longer does (not After it).
func TestScaleDownStabilizationWindow(t *testing.T) {
	for _, tc := range []struct {
		name     string
		behavior *Behavior
		drop     des.Time
	}{
		{"without a behavior: held to 300 s, down at 315 s", nil, 315 * sec},
		{"with the default behavior: held to 285 s, down at 300 s", &Behavior{}, 300 * sec},
	} {
		behavior := tc.behavior
		t.Run(tc.name, func(t *testing.T) {
			a := newHPA(t, Spec{MaxReplicas: 20, Metrics: []Metric{cpuAt(50)}, Behavior: behavior})
			// t = 0: 10 pods at 50%: recommendation 10.
			v := newView(0, 10)
			for range 10 {
				v.ready(500)
			}
			require.False(t, a.Reconcile(v.in).Rescale)
			// From 15 s on the load halves: each sync recommends 5.
			for at := 15 * sec; at < tc.drop; at += 15 * sec {
				v := newView(at, 10)
				for range 10 {
					v.ready(250)
				}
				d := a.Reconcile(v.in)
				require.Equal(t, int32(5), d.Proposal)
				require.Equal(t, int32(10), d.Desired, "held at %v", at)
				require.Equal(t, "ScaleDownStabilized", d.Stabilized)
			}
			v = newView(tc.drop, 10)
			for range 10 {
				v.ready(250)
			}
			d := a.Reconcile(v.in)
			assert.True(t, d.Rescale)
			assert.Equal(t, int32(5), d.Desired, "the t = 0 recommendation left the window")
			assert.Equal(t, "All metrics below target", d.Reason)
		})
	}
}

// A scale-down window of 60 s (the Auto Mode manifest's) drops after 60 s.
func TestShortScaleDownWindow(t *testing.T) {
	w := 60 * time.Second
	a := newHPA(t, Spec{MaxReplicas: 20, Metrics: []Metric{cpuAt(50)}, Behavior: &Behavior{ScaleDown: &Rules{StabilizationWindow: &w}}})
	low := func(at des.Time) Decision {
		v := newView(at, 10)
		for range 10 {
			v.ready(250)
		}
		return a.Reconcile(v.in)
	}
	v := newView(0, 10)
	for range 10 {
		v.ready(500)
	}
	a.Reconcile(v.in)
	assert.Equal(t, int32(10), low(45*sec).Desired)
	assert.Equal(t, int32(5), low(60*sec).Desired)
}

// The default scale-up policy: 4 pods or 100% per 15 s, the larger. From 2:
// max(2 + 4, 2 x 2) = 6 in one period; without a behavior the older limit
// max(2 x 2, 4) = 4.
func TestDefaultScaleUpPolicy(t *testing.T) {
	hot := func(at des.Time, n int32) Input {
		v := newView(at, n)
		for range n {
			v.ready(1000) // 100% against a 10% target: ratio 10
		}
		return v.in
	}
	t.Run("default behavior: 2 -> 6, then 6 -> 12 the next period", func(t *testing.T) {
		a := newHPA(t, Spec{MaxReplicas: 100, Metrics: []Metric{cpuAt(10)}, Behavior: &Behavior{}})
		d := a.Reconcile(hot(0, 2))
		assert.Equal(t, int32(20), d.Proposal)
		assert.Equal(t, int32(6), d.Desired)
		assert.Equal(t, "ScaleUpLimit", d.Limited)
		// 10 s later the period still holds the +4: start 2, limit 6.
		d = a.Reconcile(hot(10*sec, 6))
		assert.Equal(t, int32(6), d.Desired)
		assert.False(t, d.Rescale)
		// 15 s after it the event has left the period: max(6 + 4, 12) = 12.
		d = a.Reconcile(hot(15*sec, 6))
		assert.Equal(t, int32(12), d.Desired)
	})
	t.Run("no behavior: 2 -> 4", func(t *testing.T) {
		a := newHPA(t, Spec{MaxReplicas: 100, Metrics: []Metric{cpuAt(10)}})
		d := a.Reconcile(hot(0, 2))
		assert.Equal(t, int32(4), d.Desired)
		assert.Equal(t, "ScaleUpLimit", d.Limited)
	})
	t.Run("maxReplicas below the limit: TooManyReplicas", func(t *testing.T) {
		a := newHPA(t, Spec{MaxReplicas: 5, Metrics: []Metric{cpuAt(10)}, Behavior: &Behavior{}})
		d := a.Reconcile(hot(0, 2))
		assert.Equal(t, int32(5), d.Desired)
		assert.Equal(t, "TooManyReplicas", d.Limited)
	})
}

// selectPolicy Min picks the policy with the smaller change, Disabled
// turns the direction off.
func TestSelectPolicy(t *testing.T) {
	hot := newView(0, 2).ready(1000, 1000).in
	for _, tc := range []struct {
		name string
		sel  Select
		want int32
	}{
		{"Max: max(2 + 4, 2 x 2) = 6", SelectMax, 6},
		{"Min: min(2 + 4, 2 x 2) = 4", SelectMin, 4},
		{"Disabled: stays 2", SelectDisabled, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sel := tc.sel
			up := DefaultScaleUp()
			up.SelectPolicy = &sel
			a := newHPA(t, Spec{MaxReplicas: 100, Metrics: []Metric{cpuAt(10)}, Behavior: &Behavior{ScaleUp: &up}})
			d := a.Reconcile(hot)
			assert.Equal(t, tc.want, d.Desired)
		})
	}
	t.Run("scale-down Pods 1 per 60 s: 10 -> 9, then held for the period", func(t *testing.T) {
		w := time.Duration(0)
		a := newHPA(t, Spec{MaxReplicas: 100, Metrics: []Metric{cpuAt(50)},
			Behavior: &Behavior{ScaleDown: &Rules{StabilizationWindow: &w, Policies: []Policy{{Type: PodsPolicy, Value: 1, Period: time.Minute}}}}})
		cold := func(at des.Time, n int32) Decision {
			v := newView(at, n)
			for range n {
				v.ready(100)
			}
			return a.Reconcile(v.in)
		}
		assert.Equal(t, int32(9), cold(0, 10).Desired)
		d := cold(30*sec, 9)
		assert.Equal(t, int32(9), d.Desired)
		assert.Equal(t, "ScaleDownLimit", d.Limited)
		assert.Equal(t, int32(8), cold(61*sec, 9).Desired)
	})
	t.Run("scale-down Percent 50 and Pods 1, Min: the smaller change", func(t *testing.T) {
		w, sel := time.Duration(0), SelectMin
		a := newHPA(t, Spec{MaxReplicas: 100, Metrics: []Metric{cpuAt(50)},
			Behavior: &Behavior{ScaleDown: &Rules{StabilizationWindow: &w, SelectPolicy: &sel,
				Policies: []Policy{{Type: PercentPolicy, Value: 50, Period: time.Minute}, {Type: PodsPolicy, Value: 1, Period: time.Minute}}}}})
		v := newView(0, 10)
		for range 10 {
			v.ready(100)
		}
		assert.Equal(t, int32(9), a.Reconcile(v.in).Desired)
	})
}

// Several metrics: each proposes, the largest wins.
func TestMultipleMetrics(t *testing.T) {
	a := newHPA(t, Spec{MaxReplicas: 100, Behavior: &Behavior{ScaleUp: &Rules{Policies: []Policy{{Type: PodsPolicy, Value: 100, Period: 15 * time.Second}}}},
		Metrics: []Metric{cpuAt(50), {Type: Pods, Name: "requests_per_second", Target: AverageValue, TargetMilli: 10_000}}})
	v := newView(0, 4).ready(750, 750, 750, 750) // cpu: 75% of 50% -> 6
	v.in.Metrics = append(v.in.Metrics, MetricData{Pods: []Sample{{OK: true, Value: 20_000}, {OK: true, Value: 20_000}, {OK: true, Value: 20_000}, {OK: true, Value: 20_000}}})
	d := a.Reconcile(v.in)
	require.NoError(t, d.Err)
	assert.Equal(t, int32(6), d.Statuses[0].Proposal)
	assert.Equal(t, int32(8), d.Statuses[1].Proposal, "20 rps a pod vs 10: 4 -> 8")
	assert.Equal(t, int32(8), d.Desired)
	assert.Equal(t, "pods metric requests_per_second above target", d.Reason)
}

// An invalid metric stops a scale-down but not a scale-up.
func TestInvalidMetric(t *testing.T) {
	spec := Spec{MaxReplicas: 100, Behavior: &Behavior{}, Metrics: []Metric{cpuAt(50), {Type: External, Name: "queue", Target: Value, TargetMilli: 1000}}}
	broken := MetricData{Err: ErrNoMetricValue}
	t.Run("the other metric scales up: it goes ahead", func(t *testing.T) {
		a := newHPA(t, spec)
		v := newView(0, 2).ready(1000, 1000)
		v.in.Metrics = append(v.in.Metrics, broken)
		d := a.Reconcile(v.in)
		require.NoError(t, d.Err)
		assert.Equal(t, int32(4), d.Desired)
	})
	t.Run("the other metric would scale down: nothing changes", func(t *testing.T) {
		a := newHPA(t, spec)
		v := newView(0, 4).ready(100, 100, 100, 100)
		v.in.Metrics = append(v.in.Metrics, broken)
		d := a.Reconcile(v.in)
		require.Error(t, d.Err)
		assert.False(t, d.Rescale)
		assert.Equal(t, int32(4), d.Desired)
	})
}

// External metrics: a Value target multiplies the ratio by the ready pods,
// an AverageValue target divides the total by it.
func TestExternalMetrics(t *testing.T) {
	w := time.Duration(0)
	b := &Behavior{ScaleUp: &Rules{Policies: []Policy{{Type: PodsPolicy, Value: 100, Period: 15 * time.Second}}}, ScaleDown: &Rules{StabilizationWindow: &w}}
	t.Run("Value 200 against a total of 1000 with 2 ready pods: ceil(5 x 2) = 10", func(t *testing.T) {
		a := newHPA(t, Spec{MaxReplicas: 100, Behavior: b, Metrics: []Metric{{Type: External, Name: "rps", Target: Value, TargetMilli: 200_000}}})
		v := newView(0, 2).ready(0, 0)
		v.in.Metrics = []MetricData{{External: []int64{600_000, 400_000}}}
		d := a.Reconcile(v.in)
		assert.Equal(t, int32(10), d.Desired)
		assert.Equal(t, int64(1_000_000), d.Statuses[0].Value)
	})
	t.Run("AverageValue 100 against a total of 1000: ceil(1000 / 100) = 10", func(t *testing.T) {
		a := newHPA(t, Spec{MaxReplicas: 100, Behavior: b, Metrics: []Metric{{Type: External, Name: "rps", Target: AverageValue, TargetMilli: 100_000}}})
		v := newView(0, 2).ready(0, 0)
		v.in.Metrics = []MetricData{{External: []int64{1_000_000}}}
		d := a.Reconcile(v.in)
		assert.Equal(t, int32(10), d.Desired)
		assert.Equal(t, int64(500_000), d.Statuses[0].Average)
	})
}

// min/max replicas: a target outside them is brought back without reading
// metrics; minReplicas defaults to 1.
func TestMinMaxReplicas(t *testing.T) {
	a := newHPA(t, Spec{MaxReplicas: 5, Metrics: []Metric{cpuAt(50)}})
	d := a.Reconcile(newView(0, 8).ready(500, 500, 500, 500, 500, 500, 500, 500).in)
	assert.Equal(t, int32(5), d.Desired)
	assert.Equal(t, "Current number of replicas above Spec.MaxReplicas", d.Reason)
	assert.Equal(t, int32(-1), d.Proposal)

	a = newHPA(t, Spec{MinReplicas: i32(3), MaxReplicas: 5, Metrics: []Metric{cpuAt(50)}})
	d = a.Reconcile(newView(0, 1).ready(10).in)
	assert.Equal(t, int32(3), d.Desired)

	a = newHPA(t, Spec{MaxReplicas: 5, Metrics: []Metric{cpuAt(50)}, Behavior: &Behavior{ScaleDown: &Rules{StabilizationWindow: new(time.Duration)}}})
	d = a.Reconcile(newView(0, 3).ready(10, 10, 10).in)
	assert.Equal(t, int32(1), d.Desired, "ceil(0.02 x 3) = 1")
	assert.Equal(t, "DesiredWithinRange", d.Limited, "minReplicas 1 by default")

	a = newHPA(t, Spec{MinReplicas: i32(2), MaxReplicas: 5, Metrics: []Metric{cpuAt(50)}, Behavior: &Behavior{ScaleDown: &Rules{StabilizationWindow: new(time.Duration)}}})
	d = a.Reconcile(newView(0, 3).ready(10, 10, 10).in)
	assert.Equal(t, int32(2), d.Desired)
	assert.Equal(t, "TooFewReplicas", d.Limited)

	a = newHPA(t, Spec{MaxReplicas: 5})
	assert.Equal(t, []Metric{cpuAt(80)}, a.Spec().Metrics, "no metrics: cpu at 80%")

	d = a.Reconcile(newView(0, 0).in)
	assert.True(t, d.Disabled, "a target at zero replicas is not scaled")
}

// Per-rule tolerance (behavior.scaleUp.tolerance, GA in 1.37).
func TestRuleTolerance(t *testing.T) {
	tol := 0.05
	a := newHPA(t, Spec{MaxReplicas: 100, Metrics: []Metric{cpuAt(50)}, Behavior: &Behavior{ScaleUp: &Rules{Tolerance: &tol}}})
	v := newView(0, 10)
	for range 10 {
		v.ready(540) // 54% of 50%: 1.08
	}
	assert.Equal(t, int32(11), a.Reconcile(v.in).Desired)
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		spec Spec
		ok   bool
	}{
		{"minReplicas > maxReplicas", Spec{MinReplicas: i32(5), MaxReplicas: 3}, false},
		{"maxReplicas 0", Spec{MaxReplicas: 0}, false},
		{"minReplicas 0 with only cpu", Spec{MinReplicas: i32(0), MaxReplicas: 3}, false},
		{"minReplicas 0 with an external metric", Spec{MinReplicas: i32(0), MaxReplicas: 3,
			Metrics: []Metric{{Type: External, Name: "q", Target: Value, TargetMilli: 1}}}, true},
		{"a period over 1800 s", Spec{MaxReplicas: 3, Behavior: &Behavior{ScaleUp: &Rules{Policies: []Policy{{Type: PodsPolicy, Value: 1, Period: 1801 * time.Second}}}}}, false},
		{"utilization 0", Spec{MaxReplicas: 3, Metrics: []Metric{cpuAt(0)}}, false},
		{"a valid spec", Spec{MinReplicas: i32(2), MaxReplicas: 3, Metrics: []Metric{cpuAt(70)}}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.spec.Validate()
			if tc.ok {
				assert.NoError(t, err)
			} else {
				assert.ErrorIs(t, err, ErrSpec)
			}
		})
	}
}
