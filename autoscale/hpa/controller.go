package hpa

import (
	"fmt"
	"math"

	"github.com/fleetsim/fleetsim/sim/des"
)

// MetricData is what the metrics APIs answer for one of the spec's metrics,
// in the spec's order: per-pod samples (Resource and Pods metrics, aligned
// with Input.Pods) or an External metric's values; Err when the API had
// nothing (the metric is invalid this sync).
type MetricData struct {
	Pods     []Sample
	External []int64
	Err      error
}

// Input is one sync's view of the scale target.
type Input struct {
	Now des.Time
	// SpecReplicas is the scale's spec.replicas (the "current" replicas);
	// StatusReplicas its status.replicas.
	SpecReplicas, StatusReplicas int32
	// Pods are the pods the target's selector selects.
	Pods    []Pod
	Metrics []MetricData
}

// MetricStatus is one metric's current value as the HPA's status reports
// it, and the replicas it proposed.
type MetricStatus struct {
	Valid       bool
	Proposal    int32
	Utilization int32 // Resource Utilization: percent of requests
	Average     int64 // the average value (milli)
	Value       int64 // an External Value target's total (milli)
	Err         error
}

// Decision is one sync's outcome.
type Decision struct {
	// Current is the replicas the sync found; Desired what it sets (Current
	// when it does not rescale).
	Current, Desired int32
	Rescale          bool
	// Proposal is the metrics' desired replicas (the largest), before
	// stabilization and limits; -1 when none was computed.
	Proposal int32
	// Metric names the metric that proposed it, as the controller words it
	// ("cpu resource utilization (percentage of request)").
	Metric string
	// Reason is the SuccessfulRescale event's reason ("cpu resource
	// utilization (percentage of request) above target", "All metrics
	// below target", "Current number of replicas above Spec.MaxReplicas").
	Reason string
	// Stabilized is the AbleToScale reason when a stabilization window held
	// the recommendation (ScaleUpStabilized, ScaleDownStabilized), else "".
	Stabilized string
	// Limited is the ScalingLimited reason: DesiredWithinRange,
	// ScaleUpLimit, ScaleDownLimit, TooManyReplicas, TooFewReplicas.
	Limited string
	// Disabled: the target is at zero replicas and the HPA did not put it
	// there (ScalingDisabled).
	Disabled bool
	Statuses []MetricStatus
	// Err is FailedComputeMetricsReplicas: every metric invalid, or some
	// invalid and the others would scale down. Nothing changes.
	Err error
}

type recommendation struct {
	replicas int32
	at       des.Time
}

type scaleEvent struct {
	change   int32
	at       des.Time
	outdated bool
}

// Autoscaler is one HorizontalPodAutoscaler's controller state: the
// recent recommendations and scale events the behavior reads, kept between
// syncs as the controller keeps them per HPA key.
type Autoscaler struct {
	spec Spec
	ctl  Controller
	up   resolved
	down resolved

	recs           []recommendation
	upEvents       []scaleEvent
	downEvents     []scaleEvent
	scaledToZero   bool
	minReplicas    int32
	hasExternalMet bool
}

// New validates spec and returns its controller state.
func New(spec Spec, ctl Controller) (*Autoscaler, error) {
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	ctl = ctl.WithDefaults()
	if len(spec.Metrics) == 0 {
		spec.Metrics = []Metric{{Type: Resource, Name: CPU, Target: Utilization, AverageUtilization: DefaultCPUUtilization}}
	}
	a := &Autoscaler{spec: spec, ctl: ctl, minReplicas: DefaultMinReplicas, hasExternalMet: spec.hasExternal()}
	if spec.MinReplicas != nil {
		a.minReplicas = *spec.MinReplicas
	}
	if b := spec.Behavior; b != nil {
		a.up = resolve(b.ScaleUp, DefaultScaleUp(), ctl.DownscaleStabilizationWindow)
		a.down = resolve(b.ScaleDown, DefaultScaleDown(), ctl.DownscaleStabilizationWindow)
	}
	return a, nil
}

// Spec is the autoscaler's spec with the default metric filled in.
func (a *Autoscaler) Spec() Spec { return a.spec }

// Controller is the controller settings with their defaults.
func (a *Autoscaler) Controller() Controller { return a.ctl }

// MinReplicas is spec.minReplicas with its default.
func (a *Autoscaler) MinReplicas() int32 { return a.minReplicas }

// tolerances is tolerancesForHpa: the flag's, or a behavior rule's own.
func (a *Autoscaler) tolerances() tolerances {
	t := tolerances{a.ctl.Tolerance, a.ctl.Tolerance}
	if a.spec.Behavior == nil {
		return t
	}
	if a.down.tolerance != nil {
		t.down = *a.down.tolerance
	}
	if a.up.tolerance != nil {
		t.up = *a.up.tolerance
	}
	return t
}

// Reconcile is reconcileAutoscaler for one sync at in.Now.
func (a *Autoscaler) Reconcile(in Input) Decision {
	now := in.Now
	current := in.SpecReplicas
	d := Decision{Current: current, Desired: current, Proposal: -1}
	if a.recs == nil { // recordInitialRecommendation
		a.recs = []recommendation{{current, now}}
	}
	var desired int32
	needMetrics := true
	switch {
	case current == 0:
		// HPAScaleToZero (beta, on in 1.37): from zero only if the HPA took
		// the target there.
		if !((a.minReplicas != 0 && a.scaledToZero) || (a.scaledToZero && a.hasExternalMet)) {
			d.Disabled = true
			return d
		}
	case current > a.spec.MaxReplicas:
		d.Reason = "Current number of replicas above Spec.MaxReplicas"
		desired, needMetrics = a.spec.MaxReplicas, false
	case current < a.minReplicas:
		d.Reason = "Current number of replicas below Spec.MinReplicas"
		desired, needMetrics = a.minReplicas, false
	}
	rescale := true
	if needMetrics {
		proposal, metric, statuses, err := a.computeReplicas(in)
		d.Statuses = statuses
		if err != nil {
			d.Err = err
			return d
		}
		d.Proposal, d.Metric = proposal, metric
		rescaleMetric := ""
		if proposal > desired {
			desired, rescaleMetric = proposal, metric
		}
		if desired > current {
			d.Reason = rescaleMetric + " above target"
		}
		if desired < current {
			d.Reason = "All metrics below target"
		}
		if a.spec.Behavior == nil {
			desired = a.normalize(&d, now, current, desired)
		} else {
			desired = a.normalizeWithBehaviors(&d, now, current, desired)
		}
		if current == 0 && a.minReplicas != 0 && a.scaledToZero && desired < a.minReplicas {
			desired = a.minReplicas
			if d.Reason == "" {
				d.Reason = "Current number of replicas below Spec.MinReplicas"
			}
		}
		rescale = desired != current
	}
	if !rescale {
		return d
	}
	d.Desired, d.Rescale = desired, true
	a.storeScaleEvent(now, current, desired)
	a.scaledToZero = current > 0 && desired == 0 && a.minReplicas == 0 && a.hasExternalMet
	return d
}

// computeReplicas is computeReplicasForMetrics: each metric's proposal, the
// largest wins; an error if every metric is invalid, or if some are and the
// rest would scale down.
func (a *Autoscaler) computeReplicas(in Input) (int32, string, []MetricStatus, error) {
	c := calculator{now: in.Now, pods: in.Pods, cpuInitialization: a.ctl.CPUInitializationPeriod,
		initialReadinessDelay: a.ctl.InitialReadinessDelay}
	tol := a.tolerances()
	statuses := make([]MetricStatus, len(a.spec.Metrics))
	var replicas int32
	var metric string
	invalid := 0
	var firstErr error
	for i, m := range a.spec.Metrics {
		var md MetricData
		if i < len(in.Metrics) {
			md = in.Metrics[i]
		}
		st := &statuses[i]
		p, name, err := a.computeMetric(&c, m, md, in.SpecReplicas, in.StatusReplicas, tol, st)
		if err != nil {
			st.Err = err
			if invalid == 0 {
				firstErr = fmt.Errorf("metrics[%d] (%s): %w", i, m.Name, err)
			}
			invalid++
			continue
		}
		st.Valid, st.Proposal = true, p
		if replicas == 0 || p > replicas {
			replicas, metric = p, name
		}
	}
	if invalid >= len(a.spec.Metrics) || (invalid > 0 && replicas < in.SpecReplicas) {
		return -1, "", statuses, fmt.Errorf("invalid metrics (%d invalid out of %d), first error is: %w", invalid, len(a.spec.Metrics), firstErr)
	}
	return replicas, metric, statuses, nil
}

// computeMetric is computeReplicasForMetric for the sources modelled.
func (a *Autoscaler) computeMetric(c *calculator, m Metric, md MetricData, spec, status int32, tol tolerances, st *MetricStatus) (int32, string, error) {
	if md.Err != nil {
		return 0, "", md.Err
	}
	switch m.Type {
	case Resource:
		if m.Target == AverageValue {
			r, usage, err := c.plainReplicas(spec, m.TargetMilli, m.Name, tol, md.Pods)
			st.Average = usage
			return r, m.Name + " resource", err
		}
		r, util, raw, err := c.resourceReplicas(spec, m.AverageUtilization, m.Name, tol, md.Pods)
		st.Utilization, st.Average = util, raw
		return r, m.Name + " resource utilization (percentage of request)", err
	case Pods:
		r, usage, err := c.plainReplicas(spec, m.TargetMilli, "", tol, md.Pods)
		st.Average = usage
		return r, "pods metric " + m.Name, err
	default:
		if m.Target == AverageValue {
			r, usage := externalPerPodReplicas(status, m.TargetMilli, tol, md.External)
			st.Average = usage
			return r, "external metric " + m.Name, nil
		}
		r, usage, err := c.externalReplicas(spec, m.TargetMilli, tol, md.External)
		st.Value = usage
		return r, "external metric " + m.Name, err
	}
}

// normalize is normalizeDesiredReplicas, the path without a Behavior: the
// highest recommendation of the downscale stabilization window, then
// minReplicas and min(maxReplicas, max(2 x current, 4)).
func (a *Autoscaler) normalize(d *Decision, now des.Time, current, proposal int32) int32 {
	stabilized := proposal
	cutoff := now - des.At(a.ctl.DownscaleStabilizationWindow)
	old := -1
	for i, r := range a.recs {
		if r.at < cutoff {
			old = i
		} else if r.replicas > stabilized {
			stabilized = r.replicas
		}
	}
	if old >= 0 {
		a.recs[old] = recommendation{proposal, now}
	} else {
		a.recs = append(a.recs, recommendation{proposal, now})
	}
	if stabilized != proposal {
		d.Stabilized = "ScaleDownStabilized"
	}
	scaleUpLimit := int32(math.Max(LegacyScaleUpFactor*float64(current), LegacyScaleUpMinimum))
	maxAllowed, limited := a.spec.MaxReplicas, "TooManyReplicas"
	if a.spec.MaxReplicas > scaleUpLimit {
		maxAllowed, limited = scaleUpLimit, "ScaleUpLimit"
	}
	switch {
	case stabilized < a.minReplicas:
		d.Limited = "TooFewReplicas"
		return a.minReplicas
	case stabilized > maxAllowed:
		d.Limited = limited
		return maxAllowed
	}
	d.Limited = "DesiredWithinRange"
	return stabilized
}

// normalizeWithBehaviors is normalizeDesiredReplicasWithBehaviors: the
// stabilization windows (scale-up: the lowest recommendation of its
// window; scale-down: the highest of its), then the policies' rate limits
// and min/max.
func (a *Autoscaler) normalizeWithBehaviors(d *Decision, now des.Time, current, proposal int32) int32 {
	stabilized := a.stabilizeWithBehaviors(now, current, proposal)
	if stabilized != proposal {
		if proposal >= current {
			d.Stabilized = "ScaleUpStabilized"
		} else {
			d.Stabilized = "ScaleDownStabilized"
		}
	}
	desired, limited := a.rateLimit(now, current, stabilized)
	d.Limited = limited
	return desired
}

// stabilizeWithBehaviors is stabilizeRecommendationWithBehaviors.
func (a *Autoscaler) stabilizeWithBehaviors(now des.Time, current, proposal int32) int32 {
	upRec, downRec := proposal, proposal
	upCutoff := now - des.At(a.up.window)
	downCutoff := now - des.At(a.down.window)
	old := -1
	for i, r := range a.recs {
		if r.at > upCutoff {
			upRec = min(r.replicas, upRec)
		}
		if r.at > downCutoff {
			downRec = max(r.replicas, downRec)
		}
		if r.at < upCutoff && r.at < downCutoff {
			old = i
		}
	}
	rec := current
	if rec < upRec {
		rec = upRec
	}
	if rec > downRec {
		rec = downRec
	}
	if old >= 0 {
		a.recs[old] = recommendation{proposal, now}
	} else {
		a.recs = append(a.recs, recommendation{proposal, now})
	}
	return rec
}

// rateLimit is convertDesiredReplicasWithBehaviorRate.
func (a *Autoscaler) rateLimit(now des.Time, current, desired int32) (int32, string) {
	switch {
	case desired > current:
		limit := max(a.scaleUpLimit(now, current), current)
		maxAllowed, reason := a.spec.MaxReplicas, "TooManyReplicas"
		if maxAllowed > limit {
			maxAllowed, reason = limit, "ScaleUpLimit"
		}
		if desired > maxAllowed {
			return maxAllowed, reason
		}
	case desired < current:
		limit := min(a.scaleDownLimit(now, current), current)
		minAllowed, reason := a.minReplicas, "TooFewReplicas"
		if minAllowed < limit {
			minAllowed, reason = limit, "ScaleDownLimit"
		}
		if desired < minAllowed {
			return minAllowed, reason
		}
	}
	return desired, "DesiredWithinRange"
}

// changeInPeriod is getReplicasChangePerPeriod: the changes of events
// after now − period.
func changeInPeriod(now des.Time, period des.Time, events []scaleEvent) int32 {
	cutoff := now - period
	var n int32
	for _, e := range events {
		if e.at > cutoff {
			n += e.change
		}
	}
	return n
}

// scaleUpLimit is calculateScaleUpLimitWithScalingRules: per policy, the
// replicas at its period's start plus Value pods or Value percent (rounded
// up); Max takes the largest, Min the smallest, Disabled holds.
func (a *Autoscaler) scaleUpLimit(now des.Time, current int32) int32 {
	r := &a.up
	if r.sel == SelectDisabled {
		return current
	}
	result, pick := int32(math.MinInt32), func(x, y int32) int32 { return max(x, y) }
	if r.sel == SelectMin {
		result, pick = math.MaxInt32, func(x, y int32) int32 { return min(x, y) }
	}
	for _, p := range r.policies {
		start := current - changeInPeriod(now, des.At(p.Period), a.upEvents) + changeInPeriod(now, des.At(p.Period), a.downEvents)
		var proposed int32
		if p.Type == PodsPolicy {
			proposed = start + p.Value
		} else {
			proposed = int32(math.Ceil(float64(start) * (1 + float64(p.Value)/100)))
		}
		result = pick(result, proposed)
	}
	return result
}

// scaleDownLimit is calculateScaleDownLimitWithBehaviors: per policy, the
// replicas at the period's start less Value pods or Value percent (rounded
// down by truncation); Max takes the lowest floor, Min the highest.
func (a *Autoscaler) scaleDownLimit(now des.Time, current int32) int32 {
	r := &a.down
	if r.sel == SelectDisabled {
		return current
	}
	result, pick := int32(math.MaxInt32), func(x, y int32) int32 { return min(x, y) }
	if r.sel == SelectMin {
		result, pick = math.MinInt32, func(x, y int32) int32 { return max(x, y) }
	}
	for _, p := range r.policies {
		start := current - changeInPeriod(now, des.At(p.Period), a.upEvents) + changeInPeriod(now, des.At(p.Period), a.downEvents)
		var proposed int32
		if p.Type == PodsPolicy {
			proposed = start - p.Value
		} else {
			proposed = int32(float64(start) * (1 - float64(p.Value)/100))
		}
		result = pick(result, proposed)
	}
	return result
}

// storeScaleEvent keeps a rescale for the behavior's periods, reusing an
// event older than the direction's longest period (markScaleEventsOutdated).
// Without a Behavior nothing is kept.
func (a *Autoscaler) storeScaleEvent(now des.Time, prev, next int32) {
	if a.spec.Behavior == nil {
		return
	}
	events, rules, change := &a.downEvents, &a.down, prev-next
	if next > prev {
		events, rules, change = &a.upEvents, &a.up, next-prev
	}
	var longest des.Time
	for _, p := range rules.policies {
		longest = max(longest, des.At(p.Period))
	}
	cutoff := now - longest
	old := -1
	for i := range *events {
		if (*events)[i].at < cutoff {
			(*events)[i].outdated = true
		}
		if (*events)[i].outdated {
			old = i
		}
	}
	e := scaleEvent{change: change, at: now}
	if old >= 0 {
		(*events)[old] = e
	} else {
		*events = append(*events, e)
	}
}
