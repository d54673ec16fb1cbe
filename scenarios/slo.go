package scenarios

import (
	"slices"
	"time"

	"github.com/fleetsim/fleetsim/sim/ecs"
)

// slo reads a service's [services.slo]: a latency objective (latency, the
// threshold, with latency_target, the percent of requests within it), an
// availability objective (availability_target) and a capacity objective
// (p95_wait). [services.load] latency_slo is the same threshold without an
// objective; given both, they must agree. It sets the load's threshold, so
// it runs after load.
func (v *validator) slo(path []string, s *sloSchema, l *loadSchema, lc *ecs.LoadConfig) *ecs.SLOConfig {
	if s == nil {
		return nil
	}
	k := func(key string) []string { return append(slices.Clone(path), key) }
	c := &ecs.SLOConfig{}
	c.LatencyTargetPct = v.targetPct(k("latency_target"), s.LatencyTarget)
	c.AvailabilityTargetPct = v.targetPct(k("availability_target"), s.AvailabilityTarget)
	if s.P95Wait.Set {
		if s.P95Wait.Duration <= 0 {
			v.bad(k("p95_wait"), "a positive duration such as \"60s\" (95% of tasks placed within it)", s.P95Wait.String())
		}
		c.P95Wait = s.P95Wait.Duration
	}
	threshold, ok := v.latencyThreshold(path, s, l, lc)
	switch {
	case !ok: // said
	case s.LatencyTarget != nil && lc != nil && lc.Queue:
		v.bad(k("latency_target"), "no latency objective for a queue (its backlog is the measure)", tomlFloat(*s.LatencyTarget))
	case s.Latency.Set && s.LatencyTarget == nil:
		v.bad(k("latency_target"), "the percent of requests to serve within latency, such as 99.9", "none")
	case s.LatencyTarget != nil && threshold <= 0:
		v.bad(k("latency"), "a latency threshold for latency_target, such as \"250ms\" (or [services.load] latency_slo)", "none")
	case s.LatencyTarget == nil && s.AvailabilityTarget == nil && !s.P95Wait.Set && !s.Latency.Set:
		v.bad(path, "at least one objective: latency with latency_target, availability_target or p95_wait", "an empty [services.slo]")
	}
	return c
}

// latencyThreshold is the latency objective's threshold: [services.slo]
// latency, which becomes the load's latency_slo, or latency_slo itself;
// false when latency is wrong (and said so).
func (v *validator) latencyThreshold(path []string, s *sloSchema, l *loadSchema, lc *ecs.LoadConfig) (time.Duration, bool) {
	if !s.Latency.Set {
		if lc == nil {
			return 0, true
		}
		return lc.LatencySLO, true
	}
	key := append(slices.Clone(path), "latency")
	switch {
	case s.Latency.Duration <= 0:
		v.bad(key, "a positive duration such as \"250ms\"", s.Latency.String())
	case lc == nil:
		v.bad(key, "a [services.load] to serve requests for a latency objective", "none")
	case lc.Queue:
		v.bad(key, "no latency objective for a queue (its backlog is the measure)", s.Latency.String())
	case l.LatencySLO.Set && l.LatencySLO.Duration != s.Latency.Duration:
		v.bad(key, "the same threshold as [services.load] latency_slo ("+l.LatencySLO.String()+"), or only one of them", s.Latency.String())
	default:
		lc.LatencySLO = s.Latency.Duration
		return lc.LatencySLO, true
	}
	return 0, false
}

// targetPct reads an objective's target: a percentage above 0 and at most
// 100 (a target of 100 leaves no error budget). Absent: 0, no objective.
func (v *validator) targetPct(path []string, t *float64) float64 {
	if t == nil {
		return 0
	}
	if !(*t > 0 && *t <= 100) { // NaN fails too (checkValues names it first)
		v.bad(path, "a percentage above 0 and at most 100, such as 99.9", tomlFloat(*t))
		return 0
	}
	return *t
}

// warmUp reads [settings] warm_up, the start of the run the steady figures
// leave out (docs/semantics/report.md, "Warm-up"): it must end before the
// run does.
func (v *validator) warmUp(d *Duration, runFor time.Duration) time.Duration {
	if d == nil || !d.Set {
		return 0
	}
	key := p("settings", "warm_up")
	switch {
	case d.Duration < 0:
		v.bad(key, "a non-negative duration such as \"30m\"", d.String())
	case runFor > 0 && d.Duration >= runFor:
		v.bad(key, "a warm-up shorter than the run's duration ("+runFor.String()+")", d.String())
	default:
		return d.Duration
	}
	return 0
}
