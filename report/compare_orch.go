package report

import (
	"math"
	"time"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/sim/des"
	"github.com/fleetsim/fleetsim/sim/schema"
)

// Comparing an ECS run with an EKS run (one [workload] on both
// orchestrators, docs/semantics/workload-pair.md): the figures both runs
// have, under one name where the meaning is the same and under each
// orchestrator's name where it differs (tasks and pods, container
// instances and nodes). A comparison of ECS runs only is as before.

// isEKS reports whether the run is an EKS run.
func (r *run) isEKS() bool { return r.Summary.EKS != nil }

// anyEKS reports whether a run of the comparison is an EKS run.
func anyEKS(runs []run) bool {
	for i := range runs {
		if runs[i].isEKS() {
			return true
		}
	}
	return false
}

// eksSeriesAliases gives an EKS run's series the ECS columns the figures
// read, where the meaning is the same: EC2 instances booting and
// registered (nodes launching and Ready), and a workload's running count
// (a Deployment's pods less those Pending).
func eksSeriesAliases(s *runSeries) {
	c := s.Columns
	if c == nil {
		return
	}
	if v, ok := c[sim.EKSNodesReady]; ok {
		c[schema.InstancesActive] = v
	}
	if v, ok := c[sim.EKSNodesLaunching]; ok {
		c[schema.InstancesLaunching] = v
	}
	for name, pods := range c {
		dep, ok := cutAffix(name, "deployment.", ".pods")
		if !ok {
			continue
		}
		pending := c["deployment."+dep+".pending"]
		run := make([]float64, len(pods))
		for j := range pods {
			run[j] = pods[j]
			if j < len(pending) && !math.IsNaN(pending[j]) {
				run[j] -= pending[j]
			}
		}
		c[schema.ServiceColumn(dep, schema.ServiceRunning)] = run
	}
}

// cutAffix cuts prefix and suffix from s.
func cutAffix(s, prefix, suffix string) (string, bool) {
	if len(s) <= len(prefix)+len(suffix) || s[:len(prefix)] != prefix || s[len(s)-len(suffix):] != suffix {
		return "", false
	}
	return s[len(prefix) : len(s)-len(suffix)], true
}

// perDay scales a run's total to a day of its simulated time.
func (r *run) perDay(usd float64) float64 {
	if r.Duration <= 0 {
		return math.NaN()
	}
	return usd * float64(24*time.Hour) / float64(r.Duration)
}

// costSplit is a run's bill split as report.SplitCost splits it, from
// its folder: EC2 instances (Spot and the Managed Instances fee included),
// the EKS control plane, Fargate (tasks or pods), and the idle part of the
// EC2 bill (ECS: cost.json's idle owner; EKS: EKSIdleCost from the
// series).
func (r *run) costSplit() CostSplit {
	var s CostSplit
	for _, t := range r.Cost.ByInstanceType {
		s.ComputeUSD += t.USD
	}
	s.ComputeUSD += r.Cost.ManagedInstancesUSD
	for _, f := range r.Cost.Fargate {
		s.FargateUSD += f.USD
	}
	s.TotalUSD = r.Cost.TotalUSD
	if !r.isEKS() {
		s.IdleUSD = idle(&r.Cost)
		return s
	}
	if ek := r.EKSCost; ek != nil {
		s.ControlPlaneUSD = ek.ControlPlaneUSD
		if ek.Fargate != nil {
			s.FargateUSD += ek.Fargate.USD
		}
	}
	s.IdleUSD = USD(math.NaN())
	if ei, ok := eksIdle(r.asResult(), &r.Cost); ok {
		s.IdleUSD = ei.USD
	}
	return s
}

// asResult is as much of a sim.Result as EKSIdleCost reads: the series and
// the end.
func (r *run) asResult() *sim.Result {
	res := &sim.Result{End: des.At(r.Duration)}
	for _, off := range r.Series.Offsets {
		res.Series.Times = append(res.Series.Times, des.At(off))
	}
	for _, name := range []string{sim.EKSCPUAllocatable, sim.EKSCPURequested, sim.EKSMemAllocatable, sim.EKSMemRequested, sim.EKSNodesReady, sim.EKSNodesLaunching} {
		if v, ok := r.Series.Columns[name]; ok {
			res.Series.Columns = append(res.Series.Columns, schema.Column{Name: name, Values: v})
		}
	}
	return res
}

// workloadFigures are one service's (ECS) or Deployment's (EKS) figures,
// by name; ok false when the run has none by that name.
type workloadFigures struct {
	waitP95, slo, availability, dropped, running float64
	ok                                           bool
}

func (r *run) service(name string) workloadFigures {
	if r.isEKS() {
		for _, w := range r.Summary.EKS.Workloads {
			if w.Kind != "deployment" || w.Name != name {
				continue
			}
			f := workloadFigures{waitP95: w.PendingP95S, running: float64(w.RunningAtEnd), slo: math.NaN(), availability: math.NaN(), dropped: math.NaN(), ok: true}
			if w.SLOAttainmentPct != nil && *w.SLOAttainmentPct >= 0 {
				f.slo = *w.SLOAttainmentPct
			}
			if w.AvailabilityPct != nil {
				f.availability = *w.AvailabilityPct
			}
			if w.RequestsDropped != nil {
				f.dropped = *w.RequestsDropped
			}
			return f
		}
		return workloadFigures{}
	}
	for _, s := range r.Summary.Services {
		if s.Name != name {
			continue
		}
		f := workloadFigures{waitP95: s.PlacementWait.P95, running: float64(s.RunningAtEnd), slo: math.NaN(),
			availability: s.AvailabilityPct, dropped: s.RequestsDropped, ok: true}
		if s.SLOAttainmentPct >= 0 {
			f.slo = s.SLOAttainmentPct
		}
		return f
	}
	return workloadFigures{}
}

// batchFigures are one batch's: ECS tasks submitted and completed, or an
// EKS Job's completions asked for and pods succeeded; the p95 wait for
// capacity.
type batchFigures struct {
	asked, done, waitP95 float64
	ok                   bool
}

func (r *run) batch(name string) batchFigures {
	if r.isEKS() {
		for _, w := range r.Summary.EKS.Workloads {
			if w.Kind == "job" && w.Name == name {
				return batchFigures{asked: float64(w.Desired * max(w.Runs, 1)), done: float64(w.Succeeded), waitP95: w.PendingP95S, ok: true}
			}
		}
		return batchFigures{}
	}
	for _, j := range r.Summary.BatchJobs {
		if j.Name == name {
			return batchFigures{asked: float64(j.Submitted), done: float64(j.Completed), waitP95: j.PlacementWait.P95, ok: true}
		}
	}
	return batchFigures{}
}

// worstWait is the longest p95 wait for capacity of the run's workloads:
// ECS tasks from created to placed, EKS pods Pending.
func (r *run) worstWait() float64 {
	w := 0.0
	if r.isEKS() {
		for _, x := range r.Summary.EKS.Workloads {
			w = max(w, x.PendingP95S)
		}
		return w
	}
	for _, s := range r.Summary.Services {
		w = max(w, s.PlacementWait.P95)
	}
	for _, j := range r.Summary.BatchJobs {
		w = max(w, j.PlacementWait.P95)
	}
	return w
}

// peakInstances is the most EC2 instances the run had at once: container
// instances (ECS) or nodes (EKS, not Fargate).
func (r *run) peakInstances() float64 {
	if r.isEKS() {
		return float64(r.Summary.EKS.Nodes.Peak)
	}
	return float64(r.Summary.Instances.Peak)
}

func (r *run) instancesLaunched() float64 {
	if r.isEKS() {
		return float64(r.Summary.EKS.Nodes.Registered)
	}
	return float64(r.Summary.Instances.Launched)
}

// orchestratorMetrics are the measures of a comparison with an EKS run:
// what both orchestrators have, named once.
func orchestratorMetrics(runs []run, each eachFunc) []metric {
	split := func(f func(CostSplit) USD) func(*run) float64 {
		return func(r *run) float64 { return r.perDay(float64(f(r.costSplit()))) }
	}
	ms := []metric{
		asMoney(each("total cost", "lower", usdText, func(r *run) float64 { return float64(r.Cost.TotalUSD) })),
		asMoney(each("cost per day", "lower", usdText, func(r *run) float64 { return r.perDay(float64(r.Cost.TotalUSD)) })),
		asMoney(each("cost per day: compute (EC2 instances)", "lower", usdText, split(func(s CostSplit) USD { return s.ComputeUSD }))),
		asMoney(each("cost per day: control plane (EKS)", "lower", usdText, split(func(s CostSplit) USD { return s.ControlPlaneUSD }))),
		asMoney(each("cost per day: Fargate (tasks / pods)", "lower", usdText, split(func(s CostSplit) USD { return s.FargateUSD }))),
		asMoney(each("cost per day: of compute, idle capacity", "lower", usdText, split(func(s CostSplit) USD { return s.IdleUSD }))),
		asWait(each("worst p95 wait for capacity (s)", "lower", waitSecondsText, (*run).worstWait)),
		asCount(each("peak EC2 instances (container instances / nodes)", "lower", countText, (*run).peakInstances)),
		asCount(each("EC2 instances launched / nodes registered", "lower", countText, (*run).instancesLaunched)),
	}
	services := names(runs, workloadServiceNames)
	for _, n := range services {
		get := func(f func(workloadFigures) float64) func(*run) float64 {
			return func(r *run) float64 {
				if w := r.service(n); w.ok {
					return f(w)
				}
				return math.NaN()
			}
		}
		ms = append(ms,
			points(each("service "+n+": SLO met", "higher", pct, get(func(w workloadFigures) float64 { return w.slo }))),
			points(each("service "+n+": availability", "higher", pct, get(func(w workloadFigures) float64 { return w.availability }))),
			asCount(each("service "+n+": requests dropped", "lower", countText, get(func(w workloadFigures) float64 { return w.dropped }))),
			asWait(each("service "+n+": p95 wait for capacity (s) (tasks placed / pods Pending)", "lower", waitSecondsText,
				get(func(w workloadFigures) float64 { return w.waitP95 }))),
			asCount(each("service "+n+": tasks / pods running at end", "higher", countText, get(func(w workloadFigures) float64 { return w.running }))))
	}
	jobs := names(runs, workloadJobNames)
	for _, n := range jobs {
		get := func(f func(batchFigures) float64) func(*run) float64 {
			return func(r *run) float64 {
				if b := r.batch(n); b.ok {
					return f(b)
				}
				return math.NaN()
			}
		}
		ms = append(ms,
			asCount(each("batch "+n+": tasks submitted / Job completions asked", "higher", countText, get(func(b batchFigures) float64 { return b.asked }))),
			asCount(each("batch "+n+": tasks completed / pods succeeded", "higher", countText, get(func(b batchFigures) float64 { return b.done }))),
			asWait(each("batch "+n+": p95 wait for capacity (s)", "lower", waitSecondsText, get(func(b batchFigures) float64 { return b.waitP95 }))))
	}
	return ms
}

// commonWorkloads is the services (ECS) and Deployments (EKS) every run
// has by name, in the first run's order.
func commonWorkloads(runs []run) []string {
	var out []string
	for _, n := range workloadServiceNames(&runs[0]) {
		every := true
		for i := range runs[1:] {
			every = every && runs[i+1].service(n).ok
		}
		if every {
			out = append(out, n)
		}
	}
	return out
}

// workloadServiceNames is a run's services (ECS) or Deployments (EKS).
func workloadServiceNames(r *run) []string { return workloadNames(r, "deployment") }

// workloadJobNames is a run's batch jobs (ECS) or Jobs (EKS).
func workloadJobNames(r *run) []string { return workloadNames(r, "job") }

// workloadNames is an EKS run's workloads of kind ("deployment" or "job"),
// or an ECS run's services or batch jobs, in summary order.
func workloadNames(r *run, kind string) []string {
	var ns []string
	switch {
	case r.isEKS():
		for _, w := range r.Summary.EKS.Workloads {
			if w.Kind == kind {
				ns = append(ns, w.Name)
			}
		}
	case kind == "job":
		for _, j := range r.Summary.BatchJobs {
			ns = append(ns, j.Name)
		}
	default:
		for _, s := range r.Summary.Services {
			ns = append(ns, s.Name)
		}
	}
	return ns
}

// orchestratorNote is what the comparison page says first when an EKS run
// is among the runs.
func orchestratorNote(runs []run) string {
	if !anyEKS(runs) {
		return ""
	}
	return "ECS and EKS runs: the table holds the measures both orchestrators have, under one name where they mean the same. " +
		"Cost per day is the whole bill (EC2, Fargate, and the EKS control plane at its cluster-hour price); compute is the EC2 instances, " +
		"and idle capacity the part of compute nothing reserved (ECS: capacity no task reserved; EKS: node allocatable no pod requested, CPU and memory weighing half each). " +
		"A wait for capacity is an ECS task's from created to placed, an EKS pod's time Pending. " +
		"SLO met and availability are judged the same way on both (the same queueing model of the service's requests)."
}
