// Package hpa is the HorizontalPodAutoscaler controller (autoscaling/v2) of
// kube-controller-manager as a pure decision: a declared view of the scale
// target's pods and their metric samples in, the replica count to set out.
// It follows k8s.io/kubernetes v1.37.2 pkg/controller/podautoscaler
// (replica_calculator.go for one metric's proposal, horizontal.go for the
// several metrics, min/max, the stabilization windows and the behavior's
// rate limits); docs/semantics/eks-hpa.md lists each rule, its source and
// the test that pins it.
//
// Values are Kubernetes milli-values (resource.Quantity.MilliValue): CPU in
// millicores, memory in thousandths of a byte, a custom metric's 1.5 as
// 1500. Time arrives as des.Time; nothing here reads a clock or draws a
// random number.
package hpa

import (
	"errors"
	"fmt"
	"time"
)

// SourceType is a metric's source (MetricSourceType). Object and
// ContainerResource are not modelled.
type SourceType uint8

// The metric sources.
const (
	// Resource is a resource of the pods' containers (cpu, memory), as a
	// share of their requests or as an average value.
	Resource SourceType = iota
	// Pods is a per-pod custom metric, averaged over the pods.
	Pods
	// External is a metric of something outside the cluster, as a total
	// (Value) or per pod (AverageValue).
	External
)

func (s SourceType) String() string { return [...]string{"Resource", "Pods", "External"}[s] }

// TargetType is a MetricTarget's type.
type TargetType uint8

// The target types.
const (
	Utilization TargetType = iota
	AverageValue
	Value
)

func (t TargetType) String() string { return [...]string{"Utilization", "AverageValue", "Value"}[t] }

// Resource names of Resource metrics.
const (
	CPU    = "cpu"
	Memory = "memory"
)

// Metric is one MetricSpec.
type Metric struct {
	Type SourceType
	// Name is the resource (cpu, memory) or the metric's name.
	Name   string
	Target TargetType
	// AverageUtilization is the target share of the requests, in percent
	// (Resource with Target Utilization).
	AverageUtilization int32
	// TargetMilli is the AverageValue or Value target, a milli-value.
	TargetMilli int64
}

// PolicyType is an HPAScalingPolicy's type.
type PolicyType uint8

// The policy types.
const (
	PodsPolicy PolicyType = iota
	PercentPolicy
)

func (p PolicyType) String() string { return [...]string{"Pods", "Percent"}[p] }

// Policy is an HPAScalingPolicy: at most Value pods (or Value percent of
// the replicas at the period's start) changed over Period.
type Policy struct {
	Type   PolicyType
	Value  int32
	Period time.Duration
}

// Select is a scaling rule's selectPolicy.
type Select uint8

// The select policies; the zero value is Max, the API's default.
const (
	SelectMax Select = iota
	SelectMin
	SelectDisabled
)

func (s Select) String() string { return [...]string{"Max", "Min", "Disabled"}[s] }

// Rules is an HPAScalingRules as the manifest gives it: nil fields take the
// defaults (Resolve).
type Rules struct {
	StabilizationWindow *time.Duration
	SelectPolicy        *Select
	Policies            []Policy
	// Tolerance is the rule's own tolerance (HPAConfigurableTolerance, GA
	// and locked on in 1.37); nil takes the controller's.
	Tolerance *float64
}

// Behavior is an HPA's spec.behavior.
type Behavior struct {
	ScaleUp, ScaleDown *Rules
}

// Spec is an HPA's spec, less the scale target (the caller resolves it).
type Spec struct {
	// MinReplicas nil is 1 (SetDefaults_HorizontalPodAutoscaler).
	MinReplicas *int32
	MaxReplicas int32
	// Metrics empty is cpu at DefaultCPUUtilization.
	Metrics []Metric
	// Behavior nil is the controller's older path: the scale-down
	// stabilization window of the flag and a scale-up limit of
	// max(2 x current, 4) per sync; a Behavior, even an empty one, gets the
	// default rules for the directions it leaves out.
	Behavior *Behavior
}

// Controller is kube-controller-manager's HPA configuration
// (--horizontal-pod-autoscaler-* flags). Zero fields take the defaults.
type Controller struct {
	SyncPeriod                   time.Duration // 15 s
	DownscaleStabilizationWindow time.Duration // 5 min
	CPUInitializationPeriod      time.Duration // 5 min
	InitialReadinessDelay        time.Duration // 30 s
	Tolerance                    float64       // 0.1
}

// Defaults: kube-controller-manager's flags (podautoscaler/config/v1alpha1
// defaults.go) and the API's (apis/autoscaling/v2 defaults.go,
// annotations.go).
const (
	DefaultSyncPeriod                   = 15 * time.Second
	DefaultDownscaleStabilizationWindow = 5 * time.Minute
	DefaultCPUInitializationPeriod      = 5 * time.Minute
	DefaultInitialReadinessDelay        = 30 * time.Second
	DefaultTolerance                    = 0.1
	DefaultCPUUtilization               = 80
	DefaultMinReplicas                  = 1
	// The default scale-up rules: 4 pods or 100% per 15 s, the larger, no
	// stabilization; scale-down: 100% per 15 s, the flag's window.
	DefaultScaleUpPods    = 4
	DefaultScaleUpPercent = 100
	DefaultScaleUpPeriod  = 15 * time.Second
	DefaultScaleDownPct   = 100
	DefaultScaleDownPer   = 15 * time.Second
	// Without a Behavior: at most max(2 x current, 4) per sync
	// (horizontal.go scaleUpLimitFactor, scaleUpLimitMinimum).
	LegacyScaleUpFactor  = 2.0
	LegacyScaleUpMinimum = 4.0
	// API validation (apis/autoscaling/validation): periodSeconds in
	// (0, 1800], stabilizationWindowSeconds in [0, 3600].
	MaxPolicyPeriod         = 1800 * time.Second
	MaxStabilizationWindow  = 3600 * time.Second
	DefaultMetricResolution = 15 * time.Second // metrics-server --metric-resolution
)

// WithDefaults fills the controller's zero fields.
func (c Controller) WithDefaults() Controller {
	if c.SyncPeriod <= 0 {
		c.SyncPeriod = DefaultSyncPeriod
	}
	if c.DownscaleStabilizationWindow <= 0 {
		c.DownscaleStabilizationWindow = DefaultDownscaleStabilizationWindow
	}
	if c.CPUInitializationPeriod <= 0 {
		c.CPUInitializationPeriod = DefaultCPUInitializationPeriod
	}
	if c.InitialReadinessDelay <= 0 {
		c.InitialReadinessDelay = DefaultInitialReadinessDelay
	}
	if c.Tolerance <= 0 {
		c.Tolerance = DefaultTolerance
	}
	return c
}

// resolved are one direction's rules with every default filled in.
type resolved struct {
	window    time.Duration
	sel       Select
	policies  []Policy
	tolerance *float64
}

// DefaultScaleUp and DefaultScaleDown are the API's default rules
// (GenerateHPAScaleUpRules, GenerateHPAScaleDownRules); the scale-down
// window is the controller's flag.
func DefaultScaleUp() Rules {
	w, sel := time.Duration(0), SelectMax
	return Rules{StabilizationWindow: &w, SelectPolicy: &sel, Policies: []Policy{
		{Type: PodsPolicy, Value: DefaultScaleUpPods, Period: DefaultScaleUpPeriod},
		{Type: PercentPolicy, Value: DefaultScaleUpPercent, Period: DefaultScaleUpPeriod}}}
}

// DefaultScaleDown: 100% per 15 s, Max; the window is left to the flag.
func DefaultScaleDown() Rules {
	sel := SelectMax
	return Rules{SelectPolicy: &sel, Policies: []Policy{{Type: PercentPolicy, Value: DefaultScaleDownPct, Period: DefaultScaleDownPer}}}
}

// resolve is copyHPAScalingRules over the defaults, then
// maybeInitScaleDownStabilizationWindow's flag for a window left nil.
func resolve(r *Rules, def Rules, flagWindow time.Duration) resolved {
	out := resolved{sel: *def.SelectPolicy, policies: def.Policies, window: flagWindow}
	if def.StabilizationWindow != nil {
		out.window = *def.StabilizationWindow
	}
	if r != nil {
		if r.SelectPolicy != nil {
			out.sel = *r.SelectPolicy
		}
		if r.StabilizationWindow != nil {
			out.window = *r.StabilizationWindow
		}
		if r.Policies != nil {
			out.policies = r.Policies
		}
		out.tolerance = r.Tolerance
	}
	return out
}

// ErrSpec reports a spec the API server would refuse.
var ErrSpec = errors.New("hpa: invalid spec")

// Validate is the API server's validation of the fields modelled here.
func (s Spec) Validate() error {
	var errs []error
	bad := func(f string, a ...any) { errs = append(errs, fmt.Errorf("%w: "+f, append([]any{ErrSpec}, a...)...)) }
	minR := int32(DefaultMinReplicas)
	if s.MinReplicas != nil {
		minR = *s.MinReplicas
	}
	if minR < 0 {
		bad("minReplicas %d must be >= 0", minR)
	}
	if minR == 0 && !s.hasExternal() {
		bad("minReplicas 0 needs an Object or External metric")
	}
	if s.MaxReplicas < 1 {
		bad("maxReplicas %d must be >= 1", s.MaxReplicas)
	}
	if s.MaxReplicas < minR {
		bad("maxReplicas %d must be >= minReplicas %d", s.MaxReplicas, minR)
	}
	for i, m := range s.Metrics {
		switch {
		case m.Type == Resource && m.Name != CPU && m.Name != Memory:
			bad("metrics[%d]: resource %q: want cpu or memory", i, m.Name)
		case m.Type == Resource && m.Target == Value:
			bad("metrics[%d]: a Resource metric's target is Utilization or AverageValue", i)
		case m.Type == Pods && m.Target != AverageValue:
			bad("metrics[%d]: a Pods metric's target is AverageValue", i)
		case m.Type == External && m.Target == Utilization:
			bad("metrics[%d]: an External metric's target is Value or AverageValue", i)
		case m.Target == Utilization && m.AverageUtilization <= 0:
			bad("metrics[%d]: averageUtilization %d must be > 0", i, m.AverageUtilization)
		case m.Target != Utilization && m.TargetMilli <= 0:
			bad("metrics[%d]: target %s must be > 0", i, m.Target)
		}
	}
	if b := s.Behavior; b != nil {
		for _, r := range []*Rules{b.ScaleUp, b.ScaleDown} {
			if r == nil {
				continue
			}
			if w := r.StabilizationWindow; w != nil && (*w < 0 || *w > MaxStabilizationWindow) {
				bad("behavior: stabilizationWindowSeconds %v must be within [0, 3600] s", *w)
			}
			if r.Policies != nil && len(r.Policies) == 0 {
				bad("behavior: policies must hold at least one policy")
			}
			for _, p := range r.Policies {
				if p.Value <= 0 || p.Period <= 0 || p.Period > MaxPolicyPeriod {
					bad("behavior: policy %s %d per %v: value must be > 0, periodSeconds within (0, 1800]", p.Type, p.Value, p.Period)
				}
			}
			if t := r.Tolerance; t != nil && *t < 0 {
				bad("behavior: tolerance %g must be >= 0", *t)
			}
		}
	}
	return errors.Join(errs...)
}

func (s Spec) hasExternal() bool {
	for _, m := range s.Metrics {
		if m.Type == External {
			return true
		}
	}
	return false
}
