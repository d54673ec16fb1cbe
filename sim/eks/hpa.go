package eks

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/fleetsim/fleetsim/autoscale/hpa"
	"github.com/fleetsim/fleetsim/sim/des"
	"github.com/fleetsim/fleetsim/sim/schema"
)

// MetricSource is what in the world a HorizontalPodAutoscaler's metric
// reads.
type MetricSource uint8

// The metrics the world produces.
const (
	// SourceCPU is each Ready pod's CPU usage: its share of the
	// Deployment's Load over PodRequestsPerSecond (at most 1) times its CPU
	// request, the utilisation the deployment.NAME.cpu_utilization column
	// records.
	SourceCPU MetricSource = iota
	// SourceMemory is each Ready pod's memory: its request times
	// MemoryIdle, rising linearly to MemoryAtFullLoad at 100% CPU (choice:
	// the world has no memory model of its own).
	SourceMemory
	// SourceRequestsPerSecond is the Deployment's Load: per Ready pod (a
	// Pods metric) or in total (an External metric, as a load balancer's
	// request count).
	SourceRequestsPerSecond
)

// MetricRequestsPerSecond is the name of the requests-per-second metric
// (Pods or External) the world produces for a Deployment with Load.
const MetricRequestsPerSecond = "requests_per_second"

// HorizontalPodAutoscaler is an autoscaling/v2 HorizontalPodAutoscaler
// whose scale target is one of the cluster's Deployments.
type HorizontalPodAutoscaler struct {
	Name, Namespace string
	// Deployment is the scale target, an index into Config.Deployments.
	Deployment int
	// Spec is the HPA's spec (min/max, metrics, behavior).
	Spec hpa.Spec
	// Sources says, per Spec.Metrics entry, what the metric reads.
	Sources []MetricSource
	// Controller is kube-controller-manager's HPA flags (sync period 15 s,
	// tolerance 0.1, downscale stabilization 5 min, CPU initialization
	// 5 min, initial readiness delay 30 s); zero fields take the defaults.
	Controller hpa.Controller
	// MetricResolution is metrics-server's --metric-resolution: how often
	// it scrapes the kubelets (15 s when zero). A pod has a sample from
	// its second scrape after it became Ready (metrics-server takes the
	// rate between two cumulative readings).
	MetricResolution time.Duration
	// MemoryIdle and MemoryAtFullLoad are the memory model's shares of the
	// request (choice: 0.5 and 0.8 when zero).
	MemoryIdle, MemoryAtFullLoad float64
}

// Defaults of the memory model (choice).
const (
	DefaultMemoryIdle       = 0.5
	DefaultMemoryAtFullLoad = 0.8
)

// podSample is metrics-server's latest reading of a pod.
type podSample struct {
	scrapes          int      // scrapes since the pod became Ready
	at               des.Time // the last scrape
	window           time.Duration
	cpu, memory, rps int64 // milli-values
}

// hpaState is one HPA's controller and metrics pipeline.
type hpaState struct {
	a        *hpa.Autoscaler
	samples  map[int32]podSample // by pod index
	external int64               // the last scrape's total requests per second (milli)
	scraped  bool
	lastErr  string
	lastProp int32
	sum      HPASummary
}

// hpaControllers is the world's HPA side.
type hpaControllers struct {
	list         []hpaState
	sync, scrape des.Kind
}

// HPASummary is one HPA's outcome (summary.json).
type HPASummary struct {
	Name        string `json:"name"`
	Namespace   string `json:"namespace"`
	Deployment  string `json:"deployment"`
	MinReplicas int32  `json:"min_replicas"`
	MaxReplicas int32  `json:"max_replicas"`
	Syncs       int    `json:"syncs"`
	// FailedSyncs are syncs without a usable metric (FailedGetResourceMetric
	// and the like: no Ready pod with a sample yet).
	FailedSyncs  int   `json:"failed_syncs"`
	ScaleUps     int   `json:"scale_ups"`
	ScaleDowns   int   `json:"scale_downs"`
	PeakDesired  int32 `json:"peak_desired"`
	LeastDesired int32 `json:"least_desired"`
	DesiredAtEnd int32 `json:"desired_at_end"`
	// Limited counts the syncs whose desired count a limit cut (the
	// ScalingLimited reasons other than DesiredWithinRange) and Stabilized
	// those a stabilization window held.
	Limited    map[string]int `json:"limited"`
	Stabilized map[string]int `json:"stabilized"`
}

// startHPAs builds each HPA's controller and schedules its first scrape and
// sync at the current instant.
func (w *World) startHPAs() {
	if len(w.cfg.HPAs) == 0 {
		return
	}
	h := &w.hpa
	h.sync = w.eng.Register(func(_ des.Time, i int32) { w.syncHPA(int(i)) })
	h.scrape = w.eng.Register(func(_ des.Time, i int32) { w.scrapeHPA(int(i)) })
	for i := range w.cfg.HPAs {
		hc := &w.cfg.HPAs[i]
		a, err := hpa.New(hc.Spec, hc.Controller)
		if err != nil {
			w.eng.Fail(fmt.Errorf("eks: HorizontalPodAutoscaler %q: %w", hc.Name, err))
			return
		}
		h.list = append(h.list, hpaState{a: a, samples: map[int32]podSample{}, lastProp: -1,
			sum: HPASummary{Name: hc.Name, Namespace: hc.Namespace, Deployment: w.cfg.Deployments[hc.Deployment].Name,
				MinReplicas: a.MinReplicas(), MaxReplicas: hc.Spec.MaxReplicas, LeastDesired: math.MaxInt32,
				Limited: map[string]int{}, Stabilized: map[string]int{}}})
	}
	for i := range h.list {
		w.eng.At(w.now(), h.scrape, int32(i))
		w.eng.At(w.now(), h.sync, int32(i))
	}
}

func (hc *HorizontalPodAutoscaler) resolution() time.Duration {
	if hc.MetricResolution > 0 {
		return hc.MetricResolution
	}
	return hpa.DefaultMetricResolution
}

// loadShare is a Deployment's utilisation as a fraction (at most 1) and its
// requests per second per Ready pod, as sampleDeployment computes them.
func (w *World) loadShare(d int) (util float64, perPod float64, total float64) {
	dc := &w.cfg.Deployments[d]
	if dc.Load == nil {
		return 0, 0, 0
	}
	total = w.deploymentLoad(d).Rate(w.calendar(w.now()))
	running := w.rec.workloads[d].counts[stRunning]
	if running > 0 && w.deploys[d].svc != nil {
		return w.scrapedShare(d, total, running), total / float64(running), total // the service model's (service.go)
	}
	if running == 0 || dc.PodRequestsPerSecond <= 0 {
		return 0, 0, total
	}
	return min(1, total/(float64(running)*dc.PodRequestsPerSecond)), total / float64(running), total
}

// scrapeHPA is metrics-server's scrape of the target's pods.
func (w *World) scrapeHPA(i int) {
	hc := &w.cfg.HPAs[i]
	st := &w.hpa.list[i]
	now := w.now()
	util, perPod, total := w.loadShare(hc.Deployment)
	idle, full := hc.MemoryIdle, hc.MemoryAtFullLoad
	if idle <= 0 {
		idle = DefaultMemoryIdle
	}
	if full <= 0 {
		full = DefaultMemoryAtFullLoad
	}
	next := make(map[int32]podSample, len(st.samples))
	dp := &w.deploys[hc.Deployment]
	for r := range dp.sets {
		for _, pi := range dp.sets[r].pods {
			p := &w.pods[pi]
			if !p.active() || !p.ready {
				continue
			}
			cpuReq, memReq := podRequests(p.tmpl)
			s := st.samples[pi]
			s.scrapes++
			if s.scrapes > 1 {
				s.window = (now - s.at).Duration()
			}
			s.at = now
			s.cpu = int64(math.Round(util * float64(max(cpuReq, 0))))
			s.memory = int64(math.Round((idle + (full-idle)*util) * float64(max(memReq, 0))))
			s.rps = int64(math.Round(perPod * 1000))
			next[pi] = s
		}
	}
	st.samples = next
	st.external, st.scraped = int64(math.Round(total*1000)), true
	if w.env.Duration == 0 || now+des.At(hc.resolution()) < des.At(w.env.Duration) {
		w.eng.At(now+des.At(hc.resolution()), w.hpa.scrape, int32(i))
	}
}

// podRequests are a template's containers' CPU and memory requests summed
// (sidecars included) as milli-values; -1 when a container has none.
func podRequests(t *PodTemplate) (cpu, memory int64) {
	for _, c := range t.Pod.Containers {
		cpu, memory = addRequest(cpu, c.Requests.MilliCPU, c.ZeroCPU, 1), addRequest(memory, c.Requests.MemoryBytes, c.ZeroMemory, 1000)
	}
	for _, c := range t.Pod.InitContainers {
		if c.Sidecar {
			cpu, memory = addRequest(cpu, c.Requests.MilliCPU, c.ZeroCPU, 1), addRequest(memory, c.Requests.MemoryBytes, c.ZeroMemory, 1000)
		}
	}
	return cpu, memory
}

func addRequest(sum, v int64, zero bool, scale int64) int64 {
	if sum < 0 || (v == 0 && !zero) {
		return -1
	}
	return sum + v*scale
}

// hpaInput is the HPA controller's view of its target at this sync.
func (w *World) hpaInput(i int) hpa.Input {
	hc := &w.cfg.HPAs[i]
	st := &w.hpa.list[i]
	dp := &w.deploys[hc.Deployment]
	pods, _ := w.deploymentCounts(hc.Deployment)
	in := hpa.Input{Now: w.now(), SpecReplicas: int32(dp.replicas), StatusReplicas: int32(pods)}
	metrics := st.a.Spec().Metrics
	in.Metrics = make([]hpa.MetricData, len(metrics))
	for r := range dp.sets {
		for _, pi := range dp.sets[r].pods {
			p := &w.pods[pi]
			if p.gone {
				continue
			}
			cpuReq, memReq := podRequests(p.tmpl)
			hp := hpa.Pod{Name: p.name, Deleting: p.deleting, CPURequest: cpuReq, MemoryRequest: memReq}
			switch p.phase {
			case PhaseRunning:
				hp.Phase = hpa.PodRunning
			case PhaseSucceeded:
				hp.Phase = hpa.PodSucceeded
			case PhaseFailed:
				hp.Phase = hpa.PodFailed
			}
			if p.onKubelet() { // the kubelet has the pod (on a node or on Fargate): startTime and the Ready condition
				hp.Started, hp.StartTime, hp.ReadyCondition, hp.ReadyChanged = true, p.scheduled, true, p.scheduled
			}
			if p.ready {
				hp.Ready, hp.ReadyChanged = true, p.started
			}
			in.Pods = append(in.Pods, hp)
			s, ok := st.samples[pi]
			ok = ok && s.scrapes >= 2 && p.active() && p.ready
			for m := range metrics {
				var v int64
				switch hc.Sources[m] {
				case SourceCPU:
					v = s.cpu
				case SourceMemory:
					v = s.memory
				default:
					v = s.rps
				}
				in.Metrics[m].Pods = append(in.Metrics[m].Pods, hpa.Sample{OK: ok, Value: v, Timestamp: s.at, Window: s.window})
			}
		}
	}
	for m, spec := range metrics {
		if spec.Type != hpa.External {
			continue
		}
		if st.scraped {
			in.Metrics[m].External = []int64{st.external}
		} else {
			in.Metrics[m].Err = hpa.ErrNoMetricValue
		}
	}
	return in
}

// syncHPA is one reconcile of the HPA: the decision, its events, and the
// Deployment's replicas set as kubectl scale sets them.
func (w *World) syncHPA(i int) {
	hc := &w.cfg.HPAs[i]
	st := &w.hpa.list[i]
	d := st.a.Reconcile(w.hpaInput(i))
	s := &st.sum
	s.Syncs++
	dname := w.cfg.Deployments[hc.Deployment].Name
	ev := schema.Event{At: w.now(), Subject: hc.Name, Group: "deployment:" + dname}
	if d.Err != nil {
		s.FailedSyncs++
		if msg := d.Err.Error(); msg != st.lastErr {
			st.lastErr = msg
			ev.Type, ev.Status, ev.Reason = EventHPAFailed, "current "+strconv.Itoa(int(d.Current)), msg
			w.log.Add(ev)
		}
	} else {
		st.lastErr = ""
		if d.Proposal >= 0 && d.Proposal != st.lastProp {
			st.lastProp = d.Proposal
			ev.Type, ev.Status, ev.Reason = EventHPARecommendation, "proposal "+strconv.Itoa(int(d.Proposal)), recommendationReason(&d, st.a.Spec().Metrics)
			w.log.Add(ev)
		}
	}
	if d.Limited != "" && d.Limited != "DesiredWithinRange" {
		s.Limited[d.Limited]++
	}
	if d.Stabilized != "" {
		s.Stabilized[d.Stabilized]++
	}
	if d.Rescale {
		if d.Desired > d.Current {
			s.ScaleUps++
		} else {
			s.ScaleDowns++
		}
		ev.Type, ev.Status = EventHPARescale, "replicas "+strconv.Itoa(int(d.Desired))
		ev.Reason = fmt.Sprintf("New size: %d; reason: %s", d.Desired, d.Reason)
		if d.Limited != "" && d.Limited != "DesiredWithinRange" {
			ev.Reason += " (" + d.Limited + ")"
		}
		w.log.Add(ev)
		w.ScaleDeployment(hc.Deployment, int(d.Desired))
	}
	desired := int32(w.deploys[hc.Deployment].replicas)
	s.PeakDesired, s.LeastDesired, s.DesiredAtEnd = max(s.PeakDesired, desired), min(s.LeastDesired, desired), desired
	next := w.now() + des.At(st.a.Controller().SyncPeriod)
	if w.env.Duration == 0 || next < des.At(w.env.Duration) {
		w.eng.At(next, w.hpa.sync, int32(i))
	}
}

// recommendationReason words a proposal: the metric that made it, then
// each metric's current value against its target and what it proposed,
// then what held or limited the result.
func recommendationReason(d *hpa.Decision, metrics []hpa.Metric) string {
	var b strings.Builder
	b.WriteString(d.Metric)
	for k, st := range d.Statuses {
		sep := "; "
		if k == 0 {
			sep = ": "
		}
		m := metrics[k]
		b.WriteString(sep + m.Name + " ")
		switch {
		case !st.Valid:
			b.WriteString("invalid")
		case m.Target == hpa.Utilization:
			fmt.Fprintf(&b, "%d%%/%d%%", st.Utilization, m.AverageUtilization)
		case m.Target == hpa.Value:
			fmt.Fprintf(&b, "%s/%s", milli(st.Value), milli(m.TargetMilli))
		default:
			fmt.Fprintf(&b, "%s/%s (avg)", milli(st.Average), milli(m.TargetMilli))
		}
		if st.Valid {
			fmt.Fprintf(&b, " -> %d", st.Proposal)
		}
	}
	if d.Stabilized != "" {
		b.WriteString("; " + d.Stabilized)
	}
	if d.Limited != "" && d.Limited != "DesiredWithinRange" {
		b.WriteString("; " + d.Limited)
	}
	return b.String()
}

func milli(v int64) string { return strconv.FormatFloat(float64(v)/1000, 'f', -1, 64) }

// hpaSummaries lists the HPAs' outcomes (nil without HPAs).
func (w *World) hpaSummaries() []HPASummary {
	var out []HPASummary
	for i := range w.hpa.list {
		s := w.hpa.list[i].sum
		if s.LeastDesired == math.MaxInt32 {
			s.LeastDesired = 0
		}
		out = append(out, s)
	}
	return out
}
