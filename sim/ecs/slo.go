package ecs

import (
	"math"
	"time"

	"github.com/fleetsim/fleetsim/sim/des"
)

// SLOConfig is a service's service-level objectives (the scenario's
// [services.slo]). Each is a target share, in percent, of good events; a
// zero target (or wait) means no such objective.
type SLOConfig struct {
	// LatencyTargetPct is the share of requests to serve within the
	// service's LoadConfig.LatencySLO (dropped requests are misses).
	LatencyTargetPct float64
	// AvailabilityTargetPct is the share of minutes the service is
	// available, as ServiceSummary.AvailabilityPct counts them.
	AvailabilityTargetPct float64
	// P95Wait is a capacity objective: a p95 placement wait of at most this
	// long, judged as "95% of tasks placed within P95Wait" (the nearest-rank
	// p95 is at most P95Wait exactly when at least 95% of waits are).
	P95Wait time.Duration
}

// P95WaitTargetPct is the target share of a P95Wait objective.
const P95WaitTargetPct = 95

// The objectives' names in summary.json, in the order they are listed.
const (
	ObjectiveLatency       = "latency"
	ObjectiveAvailability  = "availability"
	ObjectivePlacementWait = "placement_wait"
)

// The verdicts.
const (
	Pass = "pass"
	Fail = "fail"
)

// SLOSummary is a service's objectives judged over the run (over its
// steady period, after Settings.WarmUp): summary.json's services[].slo.
type SLOSummary struct {
	Verdict    string         `json:"verdict"` // pass when every objective passes
	Met        int            `json:"objectives_met"`
	Objectives []SLOObjective `json:"objectives"`
}

// SLOObjective is one objective's verdict and error budget. TargetPct and
// AttainedPct are shares of good events in percent; AttainedPct is rounded
// to 4 decimals, the verdict is taken on the exact share.
type SLOObjective struct {
	Name        string  `json:"name"`
	Threshold   string  `json:"threshold,omitempty"` // latency and placement_wait: the bound a good event is within
	TargetPct   float64 `json:"target"`
	AttainedPct float64 `json:"attained"`
	Verdict     string  `json:"verdict"`
	// BudgetUsedPct is the share of the error budget spent; null when the
	// target is 100 (no budget) and anything was missed.
	BudgetUsedPct *float64 `json:"budget_used_pct"`
}

// Objective judges one objective. After the SRE workbook ("Implementing
// SLOs"): the error budget is 100 - target, the share of events allowed to
// be bad, and the share of it used is
//
//	budget_used_pct = (100 - attained) / (100 - target) * 100
//
// so target 99.9 attained 99.95 uses 50% (pass) and attained 99.8 uses
// 200% (fail). The verdict is pass when attained >= target (within 1e-9,
// float noise), that is when at most 100% of the budget is used. A target
// of 100 has no budget: used is 0 when nothing was missed, else null.
// budget_used_pct is rounded to 2 decimals.
func Objective(name, threshold string, target, attained float64) SLOObjective {
	o := SLOObjective{Name: name, Threshold: threshold, TargetPct: target,
		AttainedPct: math.Round(attained*1e4) / 1e4, Verdict: Fail}
	if attained >= target-1e-9 {
		o.Verdict = Pass
	}
	missed := max(100-attained, 0)
	switch {
	case target < 100:
		used := math.Round(missed/(100-target)*100*100) / 100
		o.BudgetUsedPct = &used
	case missed <= 1e-9:
		used := 0.0
		o.BudgetUsedPct = &used
	}
	return o
}

// judge collects objectives into a summary.
func judge(objs []SLOObjective) *SLOSummary {
	if len(objs) == 0 {
		return nil
	}
	s := &SLOSummary{Verdict: Pass, Objectives: objs}
	for _, o := range objs {
		if o.Verdict == Pass {
			s.Met++
		} else {
			s.Verdict = Fail
		}
	}
	return s
}

// warmUp is what a run had counted when its warm-up (Settings.WarmUp)
// ended, so that a steady figure is the whole run's less it, and the
// instance peaks before and after its end.
type warmUp struct {
	marked     bool
	services   []warmUpMark // per service, at the first sample at or after the end
	peak       int          // instances (launching + registered) at samples before the end
	steadyPeak int          // at samples from the end on
	late       []int        // per service, steady tasks never placed that waited past P95Wait (latePending)
}

// warmUpMark is a service's tallies at the end of the warm-up.
type warmUpMark struct {
	offered, missed    float64
	minutes, minutesUp int
}

// sampleWarmUp splits the instance peak at the end of the warm-up and, at
// the first sample at or after it, marks the services' tallies. Called at
// the end of each minute's sample (after its availability is counted), so
// the minute that ends at the warm-up's end is the warm-up's.
func (w *World) sampleWarmUp(now des.Time, instances int) {
	wu := &w.rec.warm
	end := des.At(w.cfg.Settings.WarmUp)
	if end <= 0 {
		return
	}
	if now < end {
		wu.peak = max(wu.peak, instances)
		return
	}
	wu.steadyPeak = max(wu.steadyPeak, instances)
	if wu.marked {
		return
	}
	wu.marked = true
	wu.services = make([]warmUpMark, len(w.services))
	for si := range w.services {
		s := &w.services[si]
		wu.services[si] = warmUpMark{offered: s.offered, missed: s.missed, minutes: s.minutes, minutesUp: s.minutesUp}
	}
}

// inWarmUp reports whether a task created at t came during the warm-up:
// its placement wait is left out of the steady figures.
func (w *World) inWarmUp(created des.Time) bool {
	return created < des.At(w.cfg.Settings.WarmUp)
}

// steadyService sets a service's shares to its steady period's (after the
// warm-up, when there is one) and judges its objectives on them.
func (w *World) steadyService(si int, sum *ServiceSummary) {
	s := &w.services[si]
	var mark warmUpMark
	if w.cfg.Settings.WarmUp > 0 && w.rec.warm.marked {
		mark = w.rec.warm.services[si]
	}
	minutes, up := s.minutes-mark.minutes, s.minutesUp-mark.minutesUp
	offered, missed := s.offered-mark.offered, s.missed-mark.missed
	// The rounded shares are computed as they always were, so that a run
	// without a warm-up writes the same bytes.
	availability := 100.0
	if minutes > 0 {
		availability = float64(up) / float64(minutes) * 100
		sum.AvailabilityPct = math.Round(float64(up)/float64(minutes)*1e4) / 100
	}
	latency := 100.0 // no request offered: none missed
	lc := s.cfg.Load
	if lc != nil && lc.LatencySLO > 0 && offered > 0 {
		latency = (1 - missed/offered) * 100
		sum.SLOAttainmentPct = math.Round((1-missed/offered)*1e4) / 100
	}
	c := s.cfg.SLO
	if c == nil {
		return
	}
	var objs []SLOObjective
	if c.LatencyTargetPct > 0 && lc != nil && lc.LatencySLO > 0 {
		objs = append(objs, Objective(ObjectiveLatency, lc.LatencySLO.String(), c.LatencyTargetPct, latency))
	}
	if c.AvailabilityTargetPct > 0 {
		objs = append(objs, Objective(ObjectiveAvailability, "", c.AvailabilityTargetPct, availability))
	}
	if c.P95Wait > 0 {
		within := w.rec.waits[si].withinPct(c.P95Wait, w.latePending()[si])
		objs = append(objs, Objective(ObjectivePlacementWait, c.P95Wait.String(), P95WaitTargetPct, within))
	}
	sum.SLO = judge(objs)
}

// withinPct is the share of waits at most d long, in percent, counting
// late more tasks as waits longer than d (100 when there is none).
func (l *waitLog) withinPct(d time.Duration, late int) float64 {
	if l.n+late == 0 {
		return 100
	}
	within := 0
	for _, c := range l.chunks() {
		for _, x := range c {
			if x <= d {
				within++
			}
		}
	}
	return float64(within) / float64(l.n+late) * 100
}

// latePending counts, per service with a P95Wait objective, the tasks
// created after the warm-up and still waiting for placement at the end that
// have waited longer than P95Wait: they are late whenever they are placed.
// (Those still within it are left out: their wait is not known.) Read at
// the end of the run, once, before the tasks are let go.
func (w *World) latePending() []int {
	wu := &w.rec.warm
	if wu.late != nil {
		return wu.late
	}
	wu.late = make([]int, len(w.services))
	now := w.eng.Now()
	for ti := range w.tasks {
		t := &w.tasks[ti]
		if t.service < 0 || t.counted < 0 || t.state != TaskProvisioning || w.inWarmUp(t.created) {
			continue
		}
		if c := w.services[t.service].cfg.SLO; c != nil && c.P95Wait > 0 && (now-t.created).Duration() > c.P95Wait {
			wu.late[t.service]++
		}
	}
	return wu.late
}

// peaksAroundWarmUp returns the instance peak from the end of the warm-up
// on and the peak during it; without a warm-up, the run's peak and 0.
func (w *World) peaksAroundWarmUp() (steady, during int) {
	if w.cfg.Settings.WarmUp <= 0 {
		return w.rec.peakInstances, 0
	}
	return w.rec.warm.steadyPeak, w.rec.warm.peak
}
