package hpa

import (
	"errors"
	"math"
	"time"

	"github.com/fleetsim/fleetsim/sim/des"
)

// Phase is a pod's status.phase.
type Phase uint8

// The phases the calculator tells apart.
const (
	PodPending Phase = iota
	PodRunning
	PodSucceeded
	PodFailed
)

// Pod is what the replica calculator reads of one pod the scale target's
// selector selects.
type Pod struct {
	Name  string
	Phase Phase
	// Deleting: a deletionTimestamp is set (the pod is ignored).
	Deleting bool
	// Started is status.startTime set, StartTime its value.
	Started   bool
	StartTime des.Time
	// ReadyCondition: the pod has a Ready condition; Ready its status and
	// ReadyChanged its lastTransitionTime.
	ReadyCondition bool
	Ready          bool
	ReadyChanged   des.Time
	// CPURequest and MemoryRequest are the containers' requests summed
	// (restartable init containers included), milli-values; negative when a
	// container has none.
	CPURequest, MemoryRequest int64
}

// Sample is one pod's metric as the metrics API answers it: OK false when
// it has none (the pod is "missing"). Timestamp and Window are the
// PodMetrics' (CPU readiness reads them).
type Sample struct {
	OK        bool
	Value     int64
	Timestamp des.Time
	Window    time.Duration
}

// tolerances are the scale-down and scale-up tolerances.
type tolerances struct{ down, up float64 }

func (t tolerances) within(ratio float64) bool { return 1-t.down <= ratio && ratio <= 1+t.up }

// Errors of one metric's computation (the HPA's ScalingActive condition
// false with FailedGetResourceMetric and its kind).
var (
	ErrNoPods        = errors.New("no pods returned by selector while calculating replica count")
	ErrNoMetrics     = errors.New("did not receive metrics for targeted pods (pods might be unready)")
	ErrMissingReq    = errors.New("missing request for the resource in a container")
	ErrNoMatch       = errors.New("no metrics returned matched known pods")
	ErrNoMetricValue = errors.New("unable to get the metric")
)

// calculator is ReplicaCalculator over a view: the pods and the readiness
// periods.
type calculator struct {
	now                   des.Time
	pods                  []Pod
	cpuInitialization     time.Duration
	initialReadinessDelay time.Duration
}

// podClass is groupPods' verdict on one pod.
type podClass uint8

const (
	classReady podClass = iota
	classUnready
	classMissing
	classIgnored
)

// group is groupPods: deleted and failed pods are ignored, pending ones
// unready, a running one without a sample missing, and for CPU a pod is
// unready while it is not Ready within the CPU initialization period (or
// its sample was taken less than a window after it became Ready), or after
// it if it never became Ready within the initial readiness delay.
func (c *calculator) group(samples []Sample, cpu bool) (ready int, class []podClass) {
	class = make([]podClass, len(c.pods))
	for i := range c.pods {
		p := &c.pods[i]
		if p.Deleting || p.Phase == PodFailed {
			class[i] = classIgnored
			continue
		}
		if p.Phase == PodPending {
			class[i] = classUnready
			continue
		}
		if i >= len(samples) || !samples[i].OK {
			class[i] = classMissing
			continue
		}
		if cpu {
			var unready bool
			s := samples[i]
			if !p.ReadyCondition || !p.Started {
				unready = true
			} else if p.StartTime+des.At(c.cpuInitialization) > c.now {
				unready = !p.Ready || s.Timestamp < p.ReadyChanged+des.At(s.Window)
			} else {
				unready = !p.Ready && p.StartTime+des.At(c.initialReadinessDelay) > p.ReadyChanged
			}
			if unready {
				class[i] = classUnready
				continue
			}
		}
		ready++
	}
	return ready, class
}

// requests is calculateRequests: every pod's request, an error if any
// container of any selected pod has none.
func (c *calculator) requests(resource string) ([]int64, error) {
	out := make([]int64, len(c.pods))
	for i := range c.pods {
		r := c.pods[i].CPURequest
		if resource == Memory {
			r = c.pods[i].MemoryRequest
		}
		if r < 0 {
			return nil, ErrMissingReq
		}
		out[i] = r
	}
	return out, nil
}

// utilizationRatio is GetResourceUtilizationRatio over the pods in use:
// utilization = int(100 x sum(usage) / sum(requests)), truncated, and the
// ratio to the target.
func utilizationRatio(vals []int64, in []bool, req []int64, target int32) (ratio float64, util int32, raw int64, err error) {
	var total, reqTotal int64
	n := 0
	for i, ok := range in {
		if !ok {
			continue
		}
		total += vals[i]
		reqTotal += req[i]
		n++
	}
	if reqTotal == 0 {
		return 0, 0, 0, ErrNoMatch
	}
	util = int32(total * 100 / reqTotal)
	return float64(util) / float64(target), util, total / int64(n), nil
}

// usageRatio is GetMetricUsageRatio: the mean over the pods in use (integer
// division) against the target.
func usageRatio(vals []int64, in []bool, target int64) (float64, int64) {
	var total int64
	n := 0
	for i, ok := range in {
		if ok {
			total += vals[i]
			n++
		}
	}
	avg := total / int64(n)
	return float64(avg) / float64(target), avg
}

// resourceReplicas is GetResourceReplicas: a Resource metric's
// Utilization target.
func (c *calculator) resourceReplicas(current, target int32, resource string, tol tolerances, samples []Sample) (int32, int32, int64, error) {
	if len(c.pods) == 0 {
		return 0, 0, 0, ErrNoPods
	}
	ready, class := c.group(samples, resource == CPU)
	vals, in := c.inUse(samples, class)
	if count(in) == 0 {
		return 0, 0, 0, ErrNoMetrics
	}
	req, err := c.requests(resource)
	if err != nil {
		return 0, 0, 0, err
	}
	ratio, util, raw, err := utilizationRatio(vals, in, req, target)
	if err != nil {
		return 0, 0, 0, err
	}
	unready, missing := has(class, classUnready), has(class, classMissing)
	scaleUpWithUnready := unready && ratio > 1
	if !scaleUpWithUnready && !missing {
		if tol.within(ratio) {
			return current, util, raw, nil
		}
		return int32(math.Ceil(ratio * float64(ready))), util, raw, nil
	}
	if missing {
		// Scale-down: a missing pod uses 100% of its request (or the target
		// above 100%); scale-up: 0%.
		fallback := int64(max(100, target))
		for i, cl := range class {
			if cl != classMissing {
				continue
			}
			switch {
			case ratio < 1:
				vals[i], in[i] = req[i]*fallback/100, true
			case ratio > 1:
				vals[i], in[i] = 0, true
			}
		}
	}
	if scaleUpWithUnready {
		for i, cl := range class {
			if cl == classUnready {
				vals[i], in[i] = 0, true
			}
		}
	}
	newRatio, _, _, err := utilizationRatio(vals, in, req, target)
	if err != nil {
		return 0, util, raw, err
	}
	return settle(current, ratio, newRatio, count(in), tol), util, raw, nil
}

// settle is the end of the calculation with missing or unready pods: no
// change within the tolerance or when the direction flips; else
// ceil(newRatio x pods counted), unless that goes the other way.
func settle(current int32, ratio, newRatio float64, n int, tol tolerances) int32 {
	if tol.within(newRatio) || (ratio < 1 && newRatio > 1) || (ratio > 1 && newRatio < 1) {
		return current
	}
	r := int32(math.Ceil(newRatio * float64(n)))
	if (newRatio < 1 && r > current) || (newRatio > 1 && r < current) {
		return current
	}
	return r
}

// plainReplicas is calcPlainMetricReplicas: a Resource metric's
// AverageValue target (resource set) or a Pods metric (resource "").
func (c *calculator) plainReplicas(current int32, target int64, resource string, tol tolerances, samples []Sample) (int32, int64, error) {
	if len(c.pods) == 0 {
		return 0, 0, ErrNoPods
	}
	ready, class := c.group(samples, resource == CPU)
	vals, in := c.inUse(samples, class)
	if count(in) == 0 {
		return 0, 0, ErrNoMetrics
	}
	ratio, usage := usageRatio(vals, in, target)
	unready, missing := has(class, classUnready), has(class, classMissing)
	scaleUpWithUnready := unready && ratio > 1
	if !scaleUpWithUnready && !missing {
		if tol.within(ratio) {
			return current, usage, nil
		}
		return int32(math.Ceil(ratio * float64(ready))), usage, nil
	}
	if missing {
		// Scale-down: a missing pod uses exactly the target; scale-up: 0.
		for i, cl := range class {
			if cl != classMissing {
				continue
			}
			switch {
			case ratio < 1:
				vals[i], in[i] = target, true
			case ratio > 1:
				vals[i], in[i] = 0, true
			}
		}
	}
	if scaleUpWithUnready {
		for i, cl := range class {
			if cl == classUnready {
				vals[i], in[i] = 0, true
			}
		}
	}
	newRatio, _ := usageRatio(vals, in, target)
	return settle(current, ratio, newRatio, count(in), tol), usage, nil
}

// inUse are the samples of the ready pods: the metrics left after the
// ignored and unready pods' are removed.
func (c *calculator) inUse(samples []Sample, class []podClass) ([]int64, []bool) {
	vals := make([]int64, len(c.pods))
	in := make([]bool, len(c.pods))
	for i, cl := range class {
		if cl == classReady {
			vals[i], in[i] = samples[i].Value, true
		}
	}
	return vals, in
}

// readyPods counts the pods Running with Ready true (getReadyPodsCount).
func (c *calculator) readyPods() (int64, error) {
	if len(c.pods) == 0 {
		return 0, ErrNoPods
	}
	var n int64
	for i := range c.pods {
		if c.pods[i].Phase == PodRunning && c.pods[i].ReadyCondition && c.pods[i].Ready {
			n++
		}
	}
	return n, nil
}

// sumValues adds an external metric's values, capped at MaxInt64.
func sumValues(vals []int64) int64 {
	var usage int64
	for _, v := range vals {
		if v > 0 && usage > math.MaxInt64-v {
			return math.MaxInt64
		}
		usage += v
	}
	return usage
}

// externalReplicas is GetExternalMetricReplicas (a Value target): the
// ratio of the total to the target times the ready pods; from zero
// replicas, ceil(ratio).
func (c *calculator) externalReplicas(current int32, target int64, tol tolerances, vals []int64) (int32, int64, error) {
	usage := sumValues(vals)
	ratio := float64(usage) / float64(target)
	if current == 0 {
		return int32(math.Ceil(ratio)), usage, nil
	}
	if tol.within(ratio) {
		return current, usage, nil
	}
	ready, err := c.readyPods()
	if err != nil {
		return 0, usage, err
	}
	f := ratio * float64(ready)
	if f > math.MaxInt32 {
		return math.MaxInt32, usage, nil
	}
	return int32(math.Ceil(f)), usage, nil
}

// externalPerPodReplicas is GetExternalPerPodMetricReplicas (an
// AverageValue target): ceil(total / target) unless within the tolerance of
// status.replicas; the usage reported is per replica.
func externalPerPodReplicas(statusReplicas int32, target int64, tol tolerances, vals []int64) (int32, int64) {
	usage := sumValues(vals)
	replicas := statusReplicas
	ratio := float64(usage) / (float64(target) * float64(replicas))
	if !tol.within(ratio) {
		r := math.Ceil(float64(usage) / float64(target))
		if r > math.MaxInt32 {
			replicas = math.MaxInt32
		} else {
			replicas = int32(r)
		}
	}
	if float64(usage) >= math.MaxInt64 || statusReplicas == 0 {
		return replicas, usage
	}
	return replicas, int64(math.Ceil(float64(usage) / float64(statusReplicas)))
}

func count(in []bool) int {
	n := 0
	for _, ok := range in {
		if ok {
			n++
		}
	}
	return n
}

func has(class []podClass, c podClass) bool {
	for _, x := range class {
		if x == c {
			return true
		}
	}
	return false
}
