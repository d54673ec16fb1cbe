package eks

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/fleetsim/fleetsim/sim/des"
	"github.com/fleetsim/fleetsim/workload"
)

// A Deployment whose load gives CPUSecondsPerRequest is served as an ECS
// service is (sim/ecs, scaling.go respond): each sample, the period's mean
// request rate goes to an M/M/c queue (workload.ServiceModel) with one
// server per Ready pod, a pod of R vCPU requested serving R /
// CPUSecondsPerRequest requests a second at 100%. Requests above what the
// pods admit (MaxUtilisation of their capacity) are dropped, as on ECS. The
// pods' CPU utilisation (the deployment.NAME.cpu_utilization column, the
// HorizontalPodAutoscaler's CPU metric) is then the model's: the served
// load over the pods' capacity.
//
// Ready pods take the requests: a Service's endpoints are its Ready pods
// (Kubernetes, "Pod Lifecycle": "the Pod is able to serve requests and
// should be added to the load balancing pools of all matching Services").

// serviceState is a Deployment's service model and its tallies over the
// run, in requests.
type serviceState struct {
	model workload.ServiceModel
	// sampled is the samples' memo, scraped metrics-server's: a minute
	// with the same rate and pods reuses the last evaluation.
	sampled, scraped         modelMemo
	offered, dropped, missed float64
	// samples and up count the samples after the start, and those with at
	// least the Deployment's minimum availability (availability).
	samples, up int
	recent      []int // replicas at the last samples covering five minutes
}

// AvailabilityWindow is how far back availability looks for the lowest
// replica count (the ECS side's five minutes, sim/ecs record.go).
const AvailabilityWindow = 5 * time.Minute

// newServiceState is dc's service model, nil when its load gives no
// CPUSecondsPerRequest. The pod's vCPU is its template's CPU requests.
func newServiceState(dc *Deployment, sampleEvery time.Duration) (*serviceState, error) {
	if dc.Load == nil || dc.CPUSecondsPerRequest <= 0 {
		return nil, nil
	}
	cpu, _ := podRequests(&dc.Template)
	if cpu <= 0 {
		return nil, fmt.Errorf("eks: Deployment %q: cpu_seconds_per_request needs a CPU request on every container", dc.Name)
	}
	n := max(1, int((AvailabilityWindow+sampleEvery-1)/sampleEvery))
	return &serviceState{
		model:  workload.ServiceModel{CPUSecondsPerRequest: dc.CPUSecondsPerRequest, TaskVCPU: float64(cpu) / 1000, SLO: dc.LatencySLO},
		recent: make([]int, n), // zero, as the ECS side's: no minimum before the first window has passed
	}, nil
}

// modelMemo is the last M/M/c outcome and its inputs (sim/ecs's memo).
type modelMemo struct {
	rate  float64
	ready int
	r     workload.Response
	ok    bool
}

func (mm *modelMemo) respond(m workload.ServiceModel, rate float64, ready int) workload.Response {
	if !mm.ok || mm.rate != rate || mm.ready != ready {
		*mm = modelMemo{rate: rate, ready: ready, r: m.Respond(rate, ready), ok: true}
	}
	return mm.r
}

// deploymentLoad is the request-rate pattern of Deployment d: its Load, or
// the one drawn from the run's streams when Load has random parts
// (LoadRates).
func (w *World) deploymentLoad(d int) workload.Pattern {
	if p := w.deploys[d].load; p != nil {
		return p
	}
	return w.cfg.Deployments[d].Load
}

// seededLoad builds Deployment i's load from the run's streams when it has
// random parts: "eks/load/NAMESPACE/NAME" is the prefix of the streams its
// noise and walk draw from.
func seededLoad(eng *des.Engine, dc *Deployment) workload.Pattern {
	if dc.LoadRates == nil {
		return nil
	}
	return dc.LoadRates(func(name string) *rand.Rand { return eng.Stream("eks/" + name) }, "deployment/"+dc.Namespace+"/"+dc.Name)
}

// sampleService records a served Deployment's load columns for the period
// that ends now (load_rps, cpu_utilization, dropped_rps) and tallies its
// requests, drops, SLO misses and availability. The period's rate is the
// pattern at its midpoint, as the ECS side takes the minute's.
func (w *World) sampleService(d int, put func(float64)) {
	sv := w.deploys[d].svc
	wr := &w.rec.workloads[d]
	now := w.now()
	period := des.At(w.env.SampleEvery)
	if now < period {
		put(math.NaN())
		put(math.NaN())
		put(math.NaN())
		return
	}
	rate := max(w.deploymentLoad(d).Rate(w.calendar(now-period/2)), 0)
	ready := wr.counts[stRunning]
	r := sv.sampled.respond(sv.model, rate, ready)
	secs := w.env.SampleEvery.Seconds()
	sv.offered += r.Offered * secs
	sv.dropped += r.Dropped * secs
	if sv.model.SLO > 0 {
		sv.missed += r.MissShare * r.Offered * secs
	}
	put(rate)
	if ready > 0 {
		util := 100 * r.Utilisation
		put(util)
		wr.utilSum += util
		wr.utilN++
	} else {
		put(math.NaN())
	}
	put(r.Dropped)
	wr.droppedReqs += r.Dropped * secs
	w.serviceAvailability(d, sv)
}

// serviceAvailability counts the sample as up when the Deployment's
// available pods are at least its minimum availability for the lowest
// replica count of the last AvailabilityWindow: replicas less maxUnavailable
// (ResolveFenceposts; none may be unavailable under Recreate). Kubernetes
// ("Deployments", Deployment status: "Type=Available ... means that your
// Deployment has minimum availability. Minimum availability is dictated by
// the parameters specified in the deployment strategy"). The lowest count
// of the window is the ECS side's rule (minimumHealthyPercent of the lowest
// desired count of five minutes), so that a scale-out is not counted down
// while its pods start.
func (w *World) serviceAvailability(d int, sv *serviceState) {
	dc := &w.cfg.Deployments[d]
	sv.recent[sv.samples%len(sv.recent)] = w.deploys[d].replicas
	replicas := slices.Min(sv.recent)
	unavailable := 0
	if !dc.Recreate && replicas > 0 {
		_, unavailable = ResolveFenceposts(dc.MaxSurge, dc.MaxUnavailable, replicas)
	}
	_, avail := w.deploymentCounts(d)
	sv.samples++
	if avail >= replicas-unavailable {
		sv.up++
	}
}

// scrapedShare is loadShare for a served Deployment: the model's
// utilisation of the Ready pods at the scrape's rate.
func (w *World) scrapedShare(d int, total float64, ready int) float64 {
	sv := w.deploys[d].svc
	return sv.scraped.respond(sv.model, max(total, 0), ready).Utilisation
}

// serviceSummary fills in a served Deployment's requests offered and
// dropped, its SLO attainment (requests served within the latency SLO,
// drops counting as misses; -1 without an SLO) and availability (the share
// of samples up), rounded as the ECS side's ServiceSummary is.
func (sv *serviceState) summarize(ws *WorkloadSummary) {
	offered, dropped := math.Round(sv.offered), math.Round(sv.dropped)
	slo, avail := -1.0, 100.0
	if sv.model.SLO > 0 && sv.offered > 0 {
		slo = math.Round((1-sv.missed/sv.offered)*1e4) / 100
	}
	if sv.samples > 0 {
		avail = math.Round(float64(sv.up)/float64(sv.samples)*1e4) / 100
	}
	ws.RequestsOffered, ws.RequestsDropped, ws.SLOAttainmentPct, ws.AvailabilityPct = &offered, &dropped, &slo, &avail
}
