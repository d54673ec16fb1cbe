package kubecompare

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"
	"unsafe"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/kubernetes/pkg/controller/podautoscaler"
	metricsclient "k8s.io/kubernetes/pkg/controller/podautoscaler/metrics"

	"github.com/fleetsim/fleetsim/autoscale/hpa"
	"github.com/fleetsim/fleetsim/sim/des"
)

// The HPA's replica calculator (k8s.io/kubernetes v1.37.2
// pkg/controller/podautoscaler, replica_calculator.go) against
// autoscale/hpa: the same pods (phases, deletion, readiness and its
// transition, start times, requests), the same samples (some missing, some
// taken too soon after readiness) and the same targets, every metric
// source fleetsim models; the replica counts, utilisation and usage must
// agree, and so must the errors.

// fakeMetrics is a metricsclient.MetricsClient answering from the case.
type fakeMetrics struct {
	pods     metricsclient.PodMetricsInfo
	external []int64
}

func (f fakeMetrics) GetResourceMetric(context.Context, v1.ResourceName, string, labels.Selector, string) (metricsclient.PodMetricsInfo, time.Time, error) {
	return clonePodMetrics(f.pods), time.Time{}, nil
}

func (f fakeMetrics) GetRawMetric(string, string, labels.Selector, labels.Selector) (metricsclient.PodMetricsInfo, time.Time, error) {
	return clonePodMetrics(f.pods), time.Time{}, nil
}

func (f fakeMetrics) GetObjectMetric(string, string, *autoscalingv2.CrossVersionObjectReference, labels.Selector) (int64, time.Time, error) {
	return 0, time.Time{}, fmt.Errorf("no object metrics")
}

func (f fakeMetrics) GetExternalMetric(string, string, labels.Selector) ([]int64, time.Time, error) {
	return f.external, time.Time{}, nil
}

func clonePodMetrics(m metricsclient.PodMetricsInfo) metricsclient.PodMetricsInfo {
	out := make(metricsclient.PodMetricsInfo, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// tolerances builds podautoscaler.Tolerances, whose fields are unexported
// (the controller fills them from its flag and the HPA's behavior): the
// test sets them through reflect.
func tolerances(down, up float64) podautoscaler.Tolerances {
	var t podautoscaler.Tolerances
	rv := reflect.ValueOf(&t).Elem()
	for name, v := range map[string]float64{"scaleDown": down, "scaleUp": up} {
		f := rv.FieldByName(name)
		reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem().SetFloat(v)
	}
	return t
}

// hpaCase is one comparison: pods, their samples and a metric.
type hpaCase struct {
	name    string
	pods    []hpa.Pod
	samples []hpa.Sample
	ext     []int64
	metric  hpa.Metric
	current int32
	tolDown float64
	tolUp   float64
}

// realPods builds the core/v1 pods, their metrics and the lister at
// wall-clock now (groupPods reads time.Now), simulated time sim mapping to
// now.
func realPods(c hpaCase, now time.Time, sim des.Time) (corelisters.PodLister, metricsclient.PodMetricsInfo) {
	at := func(t des.Time) time.Time { return now.Add(time.Duration(t - sim)) }
	idx := cache.NewIndexer(cache.MetaNamespaceKeyFunc, cache.Indexers{cache.NamespaceIndex: cache.MetaNamespaceIndexFunc})
	metrics := metricsclient.PodMetricsInfo{}
	for i, p := range c.pods {
		pod := &v1.Pod{ObjectMeta: metav1.ObjectMeta{Name: p.Name, Namespace: "default", Labels: map[string]string{"app": "web"}}}
		switch p.Phase {
		case hpa.PodPending:
			pod.Status.Phase = v1.PodPending
		case hpa.PodRunning:
			pod.Status.Phase = v1.PodRunning
		case hpa.PodSucceeded:
			pod.Status.Phase = v1.PodSucceeded
		case hpa.PodFailed:
			pod.Status.Phase = v1.PodFailed
		}
		if p.Deleting {
			ts := metav1.NewTime(now)
			pod.DeletionTimestamp = &ts
		}
		if p.Started {
			st := metav1.NewTime(at(p.StartTime))
			pod.Status.StartTime = &st
		}
		if p.ReadyCondition {
			status := v1.ConditionFalse
			if p.Ready {
				status = v1.ConditionTrue
			}
			pod.Status.Conditions = []v1.PodCondition{{Type: v1.PodReady, Status: status, LastTransitionTime: metav1.NewTime(at(p.ReadyChanged))}}
		}
		req := v1.ResourceList{}
		if p.CPURequest >= 0 {
			req[v1.ResourceCPU] = *resource.NewMilliQuantity(p.CPURequest, resource.DecimalSI)
		}
		if p.MemoryRequest >= 0 {
			req[v1.ResourceMemory] = *resource.NewMilliQuantity(p.MemoryRequest, resource.BinarySI)
		}
		pod.Spec.Containers = []v1.Container{{Name: "app", Resources: v1.ResourceRequirements{Requests: req}}}
		if err := idx.Add(pod); err != nil {
			panic(err)
		}
		if s := c.samples[i]; s.OK {
			metrics[p.Name] = metricsclient.PodMetric{Value: s.Value, Timestamp: at(s.Timestamp), Window: s.Window}
		}
	}
	return corelisters.NewPodLister(idx), metrics
}

// realReplicas runs the real calculator for the case's metric.
func realReplicas(c hpaCase, sim des.Time) (int32, int64, error) {
	now := time.Now()
	lister, metrics := realPods(c, now, sim)
	rc := podautoscaler.NewReplicaCalculator(fakeMetrics{pods: metrics, external: c.ext}, lister,
		hpa.DefaultCPUInitializationPeriod, hpa.DefaultInitialReadinessDelay)
	tol := tolerances(c.tolDown, c.tolUp)
	sel := labels.SelectorFromSet(labels.Set{"app": "web"})
	m := c.metric
	ctx := context.Background()
	switch {
	case m.Type == hpa.Resource && m.Target == hpa.Utilization:
		r, util, _, _, err := rc.GetResourceReplicas(ctx, c.current, m.AverageUtilization, v1.ResourceName(m.Name), tol, "default", sel, "")
		return r, int64(util), err
	case m.Type == hpa.Resource:
		r, usage, _, err := rc.GetRawResourceReplicas(ctx, c.current, m.TargetMilli, v1.ResourceName(m.Name), tol, "default", sel, "")
		return r, usage, err
	case m.Type == hpa.Pods:
		r, usage, _, err := rc.GetMetricReplicas(c.current, m.TargetMilli, m.Name, tol, "default", sel, labels.Everything())
		return r, usage, err
	case m.Target == hpa.Value:
		r, usage, _, err := rc.GetExternalMetricReplicas(c.current, m.TargetMilli, m.Name, tol, "default", &metav1.LabelSelector{}, sel)
		return r, usage, err
	default:
		r, usage, _, err := rc.GetExternalPerPodMetricReplicas(c.current, m.TargetMilli, m.Name, tol, "default", &metav1.LabelSelector{})
		return r, usage, err
	}
}

// ours runs autoscale/hpa's controller for one sync and reads the metric's
// proposal (the calculator's answer, before stabilization and limits).
func ours(t *testing.T, c hpaCase, now des.Time) (int32, int64, error) {
	t.Helper()
	down, up := c.tolDown, c.tolUp
	min := int32(1)
	if c.metric.Type == hpa.External {
		min = 0
	}
	a, err := hpa.New(hpa.Spec{MinReplicas: &min, MaxReplicas: 1 << 30, Metrics: []hpa.Metric{c.metric},
		Behavior: &hpa.Behavior{ScaleUp: &hpa.Rules{Tolerance: &up}, ScaleDown: &hpa.Rules{Tolerance: &down}}}, hpa.Controller{})
	if err != nil {
		t.Fatalf("%s: %v", c.name, err)
	}
	d := a.Reconcile(hpa.Input{Now: now, SpecReplicas: c.current, StatusReplicas: c.current, Pods: c.pods,
		Metrics: []hpa.MetricData{{Pods: c.samples, External: c.ext}}})
	st := d.Statuses[0]
	if st.Err != nil {
		return 0, 0, st.Err
	}
	switch {
	case c.metric.Type == hpa.Resource && c.metric.Target == hpa.Utilization:
		return st.Proposal, int64(st.Utilization), nil
	case c.metric.Type == hpa.External && c.metric.Target == hpa.Value:
		return st.Proposal, st.Value, nil
	}
	return st.Proposal, st.Average, nil
}

// randomCase draws pods in every state the calculator tells apart.
func randomCase(r *rand.Rand, k int, now des.Time) hpaCase {
	s := des.Time(time.Second)
	n := 1 + r.IntN(12)
	c := hpaCase{name: fmt.Sprintf("case %d", k), current: int32(1 + r.IntN(15)), tolDown: 0.1, tolUp: 0.1}
	if r.IntN(4) == 0 {
		c.tolDown, c.tolUp = float64(r.IntN(30))/100, float64(r.IntN(30))/100
	}
	metrics := []hpa.Metric{
		{Type: hpa.Resource, Name: hpa.CPU, Target: hpa.Utilization, AverageUtilization: int32(10 + r.IntN(150))},
		{Type: hpa.Resource, Name: hpa.Memory, Target: hpa.Utilization, AverageUtilization: int32(10 + r.IntN(150))},
		{Type: hpa.Resource, Name: hpa.CPU, Target: hpa.AverageValue, TargetMilli: int64(50 + r.IntN(1000))},
		{Type: hpa.Pods, Name: "requests_per_second", Target: hpa.AverageValue, TargetMilli: int64(1000 + r.IntN(20000))},
		{Type: hpa.External, Name: "requests_per_second", Target: hpa.Value, TargetMilli: int64(1000 + r.IntN(50000))},
		{Type: hpa.External, Name: "requests_per_second", Target: hpa.AverageValue, TargetMilli: int64(1000 + r.IntN(20000))},
	}
	c.metric = metrics[r.IntN(len(metrics))]
	for i := range n {
		p := hpa.Pod{Name: fmt.Sprintf("web-%d", i), Phase: hpa.PodRunning, CPURequest: int64(100 * (1 + r.IntN(10))), MemoryRequest: int64(1+r.IntN(8)) << 30 * 1000}
		switch r.IntN(12) {
		case 0:
			p.Phase = hpa.PodPending
		case 1:
			p.Phase = hpa.PodFailed
		case 2:
			p.Deleting = true
		}
		if r.IntN(20) != 0 {
			p.Started = true
			// Away from the 5 min and 30 s boundaries: the real side reads
			// the wall clock a moment later.
			p.StartTime = now - des.Time(r.IntN(40))*15*s - 2*s
		}
		if r.IntN(20) != 0 {
			p.ReadyCondition = true
			p.Ready = r.IntN(5) != 0
			p.ReadyChanged = p.StartTime + des.Time(r.IntN(8))*10*s + 3*s
		}
		c.pods = append(c.pods, p)
		sample := hpa.Sample{}
		if r.IntN(8) != 0 {
			var v int64
			switch {
			case c.metric.Type == hpa.Resource && c.metric.Name == hpa.Memory:
				v = p.MemoryRequest * int64(r.IntN(200)) / 100
			case c.metric.Type == hpa.Resource:
				v = p.CPURequest * int64(r.IntN(200)) / 100
			default:
				v = int64(r.IntN(40000))
			}
			sample = hpa.Sample{OK: true, Value: v, Timestamp: now - des.Time(r.IntN(30))*s - s/2, Window: 15 * time.Second}
		}
		c.samples = append(c.samples, sample)
	}
	for range r.IntN(3) + 1 {
		c.ext = append(c.ext, int64(r.IntN(200000)))
	}
	return c
}

// tableCases are the shapes of replica_calculator_test.go (k8s.io/kubernetes
// v1.37.2) that matter here, as fleetsim's view.
func tableCases(now des.Time) []hpaCase {
	s := des.Time(time.Second)
	readyPod := func(name string, cpu int64) hpa.Pod {
		return hpa.Pod{Name: name, Phase: hpa.PodRunning, Started: true, StartTime: now - 600*s, ReadyCondition: true, Ready: true,
			ReadyChanged: now - 590*s, CPURequest: cpu, MemoryRequest: 1 << 30 * 1000}
	}
	sample := func(v int64) hpa.Sample {
		return hpa.Sample{OK: true, Value: v, Timestamp: now - s, Window: 15 * time.Second}
	}
	cpu := func(pct int32) hpa.Metric {
		return hpa.Metric{Type: hpa.Resource, Name: hpa.CPU, Target: hpa.Utilization, AverageUtilization: pct}
	}
	pending := hpa.Pod{Name: "pending", Phase: hpa.PodPending, CPURequest: 1000, MemoryRequest: 1000}
	return []hpaCase{
		{name: "scale up (TestReplicaCalcScaleUp: 3 pods at 300/500/700m of 1000m, 30% -> 5)", current: 3, metric: cpu(30),
			pods:    []hpa.Pod{readyPod("a", 1000), readyPod("b", 1000), readyPod("c", 1000)},
			samples: []hpa.Sample{sample(300), sample(500), sample(700)}},
		{name: "scale up with an unready pod (TestReplicaCalcScaleUpUnreadyLessScale)", current: 3, metric: cpu(30),
			pods:    []hpa.Pod{readyPod("a", 1000), readyPod("b", 1000), pending},
			samples: []hpa.Sample{sample(300), sample(500), {}}},
		{name: "scale down with missing metrics (TestReplicaCalcMissingMetricsScaleDown shape)", current: 4, metric: cpu(50),
			pods:    []hpa.Pod{readyPod("a", 1000), readyPod("b", 1000), readyPod("c", 1000), readyPod("d", 1000)},
			samples: []hpa.Sample{sample(100), sample(100), sample(100), {}}},
		{name: "scale up with missing metrics", current: 3, metric: cpu(50),
			pods:    []hpa.Pod{readyPod("a", 1000), readyPod("b", 1000), readyPod("c", 1000)},
			samples: []hpa.Sample{sample(800), sample(800), {}}},
		{name: "tolerance (TestReplicaCalcTolerance: 1010/1030/1020m of 1000m at 100%)", current: 3, metric: cpu(100),
			pods:    []hpa.Pod{readyPod("a", 1000), readyPod("b", 1000), readyPod("c", 1000)},
			samples: []hpa.Sample{sample(1010), sample(1030), sample(1020)}},
		{name: "no ready pods: an error", current: 1, metric: cpu(50), pods: []hpa.Pod{pending}, samples: []hpa.Sample{{}}},
		{name: "a pod without a CPU request: an error", current: 1, metric: cpu(50),
			pods: []hpa.Pod{{Name: "x", Phase: hpa.PodRunning, Started: true, StartTime: now - 600*s, ReadyCondition: true, Ready: true,
				ReadyChanged: now - 590*s, CPURequest: -1}}, samples: []hpa.Sample{sample(100)}},
	}
}

func TestHPAReplicaCalculatorAgainstKubernetes(t *testing.T) {
	now := des.Time(3 * time.Hour)
	cases := tableCases(now)
	r := rand.New(rand.NewPCG(22, 1))
	for k := range 3000 {
		cases = append(cases, randomCase(r, k, now))
	}
	agree := 0
	// What the cases exercised, so that a generator gone dull shows.
	var errs, up, down, held, withMissing, withUnready int
	for _, c := range cases {
		for i := range c.pods {
			if c.pods[i].MemoryRequest == 0 {
				c.pods[i].MemoryRequest = 1000
			}
		}
		wantR, wantV, wantErr := realReplicas(c, now)
		gotR, gotV, gotErr := ours(t, c, now)
		if (wantErr != nil) != (gotErr != nil) {
			t.Errorf("%s (%s %s): kubernetes error %v, fleetsim error %v", c.name, c.metric.Type, c.metric.Name, wantErr, gotErr)
			continue
		}
		if wantErr != nil {
			agree++
			errs++
			continue
		}
		switch {
		case wantR > c.current:
			up++
		case wantR < c.current:
			down++
		default:
			held++
		}
		for i, p := range c.pods {
			if p.Phase == hpa.PodRunning && !p.Deleting && !c.samples[i].OK {
				withMissing++
				break
			}
		}
		for _, p := range c.pods {
			if p.Phase == hpa.PodPending || (p.Phase == hpa.PodRunning && !p.Ready) {
				withUnready++
				break
			}
		}
		if wantR != gotR || wantV != gotV {
			t.Errorf("%s (%s %s %s, current %d): kubernetes %d replicas (value %d), fleetsim %d (value %d)\npods %+v\nsamples %+v",
				c.name, c.metric.Type, c.metric.Name, c.metric.Target, c.current, wantR, wantV, gotR, gotV, c.pods, c.samples)
			continue
		}
		agree++
	}
	t.Logf("%d of %d cases agree: %d errors, %d up, %d down, %d held; %d with a missing sample, %d with an unready pod",
		agree, len(cases), errs, up, down, held, withMissing, withUnready)
	for what, n := range map[string]int{"errors": errs, "scale-ups": up, "scale-downs": down, "holds": held,
		"missing samples": withMissing, "unready pods": withUnready} {
		if n < 50 {
			t.Errorf("only %d cases with %s", n, what)
		}
	}
}
