package eks

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"

	"github.com/fleetsim/fleetsim/sim/des"
)

// EKS on Fargate in the world (docs/semantics/eks-fargate.md).
//
// AWS (https://docs.aws.amazon.com/eks/latest/userguide/fargate.html): the
// Fargate controllers run "a new scheduler that runs alongside the default
// Kubernetes scheduler in addition to several mutating and validating
// admission controllers. When you start a Pod that meets the criteria for
// running on Fargate, the Fargate controllers ... recognize, update, and
// schedule the Pod onto Fargate"; the admission webhook sets the pod's
// spec.schedulerName to fargate-scheduler (aws/karpenter-provider-aws#7455).
// So a pod that matches a Fargate profile when it is created never enters
// kube-scheduler's queue: it waits Settings.FargateStartTime for a Fargate
// node of its own ("each Pod that runs on Fargate has its own compute
// boundary"; its node is named fargate-ip-...), is bound to it, pulls its
// images with no cache (one pod per node), starts, and runs. Its node is not
// an EC2 instance of the fleet: no node group counts it and EC2 bills
// nothing for it; Fargate bills the pod (report.ComputeEKSFargateCost) from
// the start of its image pull to its end (FargatePodUsage).

// DefaultFargatePullBytesPerSecond is a Fargate pod's image pull bandwidth
// when Settings leave it unset: the ECS side's Fargate default (50 MiB/s,
// sim.DefaultSettings; AWS documents no figure).
const DefaultFargatePullBytesPerSecond = 50 << 20

// SchedulerFargate is the schedulerName the Fargate admission webhook sets.
const SchedulerFargate = "fargate-scheduler"

// LabelComputeType is the label a Fargate node carries (value "fargate").
const LabelComputeType = "eks.amazonaws.com/compute-type"

// fargateCap is one pod's Fargate capacity: its Fargate node.
type fargateCap struct {
	profile  int
	size     FargatePodSize
	zone     string
	name     string // the node's name once it registered
	up       bool   // the node registered and the pod is bound to it
	released bool   // the pod ended: its capacity is gone
	usage    int    // index into fgState.usage once up; -1 before
}

// fgState is the world's Fargate side.
type fgState struct {
	ready   des.Kind // pod: its Fargate node registered
	pick    *rand.Rand
	zones   *rand.Rand
	usage   []FargatePodUsage
	owner   []int // per usage: the pod's workload (recorder index)
	nodes   int   // Fargate nodes made so far (their names)
	held    []int // per profile: pods whose Fargate node is up and not released
	peak    []int
	vcpu    []int // per profile: CPU units held
	running int
	peakAll int // the most pods on Fargate at once
}

// initFargate sets the Fargate side up and checks the templates the
// profiles take: what Fargate refuses is a problem before the run (the
// scenario reports it with its file and key).
func (w *World) initFargate() error {
	if len(w.cfg.FargateProfiles) == 0 {
		return nil
	}
	f := &w.fg
	f.ready = w.eng.Register(w.onFargateReady)
	f.pick = w.eng.Stream("eks/fargate/profile")
	f.zones = w.eng.Stream("eks/fargate/zone")
	n := len(w.cfg.FargateProfiles)
	f.held, f.peak, f.vcpu = make([]int, n), make([]int, n), make([]int, n)
	var errs []error
	check := func(kind, name, ns string, t *PodTemplate) {
		if MatchFargateProfile(w.cfg.FargateProfiles, ns, t.Pod.Labels, nil) < 0 {
			return
		}
		if err := CheckFargatePod(t, false, t.Privileged); err != nil {
			errs = append(errs, fmt.Errorf("eks: %s %q matches a Fargate profile: %w", kind, name, err))
		}
	}
	for i := range w.cfg.Deployments {
		d := &w.cfg.Deployments[i]
		check("deployment", d.Name, d.Namespace, &d.Template)
	}
	for i := range w.cfg.Jobs {
		j := &w.cfg.Jobs[i]
		check("job", j.Name, j.Namespace, &j.Template)
	}
	for i := range w.cfg.Pods {
		bp := &w.cfg.Pods[i]
		check("pod", bp.Name, bp.Namespace, &bp.Template)
	}
	return errors.Join(errs...)
}

// toFargate is the Fargate admission at a pod's creation: a pod (not a
// DaemonSet's) matching a profile gets Fargate capacity and never enters
// the scheduling queue. Reports whether it did.
func (w *World) toFargate(pi int32) bool {
	if len(w.cfg.FargateProfiles) == 0 {
		return false
	}
	p := &w.pods[pi]
	if p.kind == ownDaemonSet { // "DaemonSets aren't supported on Fargate"
		return false
	}
	f := &w.fg
	prof := MatchFargateProfile(w.cfg.FargateProfiles, p.ns, p.labels, func(n int) int { return f.pick.IntN(n) })
	if prof < 0 {
		return false
	}
	fc := &fargateCap{profile: prof, usage: -1}
	p.fg = fc
	size, err := SizeFargatePod(&p.tmpl.Pod)
	if err == nil {
		err = CheckFargatePod(p.tmpl, false, p.tmpl.Privileged)
	}
	if err != nil { // validated before the run; the fargate-scheduler leaves such a pod Pending
		p.reason, p.message = "Unschedulable", "Pod not supported on Fargate: "+err.Error()
		p.fg = nil
		w.rec.failedScheduling(p)
		w.podEvent(pi, EventFailedScheduling, p.message)
		return true
	}
	fc.size = size
	zones := w.cfg.FargateProfiles[prof].Zones
	if len(zones) == 0 {
		zones = w.cfg.Zones
	}
	if len(zones) > 0 {
		fc.zone = zones[f.zones.IntN(len(zones))]
	}
	p.timer = w.eng.At(w.now()+des.At(w.settingOr(w.cfg.Settings.FargateStartTime, DefaultFargatePodStartLatency)), f.ready, pi)
	return true
}

// onFargateReady: the pod's Fargate node registered; the fargate-scheduler
// binds the pod to it and the kubelet pulls its images. Fargate's bill
// starts here ("from the time you start to download your container image
// until the Amazon EKS Pod terminates", https://aws.amazon.com/fargate/pricing/).
func (w *World) onFargateReady(_ des.Time, pi int32) {
	p := &w.pods[pi]
	fc := p.fg
	if fc == nil || fc.up || fc.released || !p.active() {
		return
	}
	f := &w.fg
	f.nodes++
	fc.up, fc.name = true, FargateNodeName(w.env.Region, f.nodes)
	p.scheduled = w.now()
	p.reason, p.message = "", ""
	fc.usage = len(f.usage)
	f.usage = append(f.usage, FargatePodUsage{Pod: p.ns + "/" + p.name, Profile: w.cfg.FargateProfiles[fc.profile].Name,
		CPU: fc.size.CPU, MemoryMiB: fc.size.MemoryMiB, Start: w.now(), Stop: -1})
	f.owner = append(f.owner, p.workload)
	f.held[fc.profile]++
	f.peak[fc.profile] = max(f.peak[fc.profile], f.held[fc.profile])
	f.vcpu[fc.profile] += fc.size.CPU
	f.running++
	f.peakAll = max(f.peakAll, f.running)
	w.podEvent(pi, EventPodScheduled, "Successfully assigned "+p.ns+"/"+p.name+" to "+fc.name)
	w.recount(pi)
	w.startContainers(pi)
}

// fargatePull pulls a Fargate pod's images, every one every time (no
// cache: one pod per node), one after another at Fargate's bandwidth (the
// kubelet's serializeImagePulls, true by default), through the registry
// model when the run has one; the pod starts StartTime after the last.
func (w *World) fargatePull(pi int32) {
	p := &w.pods[pi]
	bw := w.cfg.Settings.FargatePullBytesPerSecond
	if bw <= 0 {
		bw = DefaultFargatePullBytesPerSecond
	}
	now := w.now()
	ready := now
	for _, im := range p.tmpl.Images {
		ready += w.fleet.PullUncached(w.fleet.ImageID(im.Name), im.SizeBytes, bw) - now
	}
	p.timer = w.eng.At(ready+des.At(max(p.tmpl.StartTime, 0)), w.k.podStarted, pi)
}

// releaseFargate ends a pod's Fargate capacity (it finished, was deleted or
// its grace period ended): the bill stops.
func (w *World) releaseFargate(pi int32) {
	p := &w.pods[pi]
	fc := p.fg
	if fc == nil || fc.released {
		return
	}
	fc.released = true
	if !fc.up {
		return
	}
	f := &w.fg
	f.usage[fc.usage].Stop = w.now()
	f.held[fc.profile]--
	f.vcpu[fc.profile] -= fc.size.CPU
	f.running--
}

// onKubelet reports whether a kubelet has the pod: it is bound to a node,
// EC2 or Fargate (status.startTime is set).
func (p *pod) onKubelet() bool { return p.node >= 0 || (p.fg != nil && p.fg.up) }

// FargateNodeName is the name of the n-th Fargate node (n from 1): EKS
// names a Fargate node fargate-ip-a-b-c-d with the private DNS domain of
// an EC2 node (fargate-ip-192-168-144-171.ap-northeast-1.compute.internal),
// here from addresses 10.128.0.0/9, apart from NodeName's, so that a name
// never reads as an EC2 node's address.
func FargateNodeName(region string, n int) string {
	n += 10
	dns := "fargate-ip-10-" + strconv.Itoa(128+n>>16&127) + "-" + strconv.Itoa(n>>8&255) + "-" + strconv.Itoa(n&255)
	if region == "us-east-1" {
		return dns + ".ec2.internal"
	}
	return dns + "." + region + ".compute.internal"
}

// Fargate series columns (timeseries.csv), per profile, only for a cluster
// with Fargate profiles: "fargate.NAME.pods" are the pods on a Fargate node
// of the profile, "fargate.NAME.vcpu" their provisioned vCPU.
var FargateMeasures = []string{"pods", "vcpu"}

// FargateColumn names a Fargate column: "fargate.api.pods".
func FargateColumn(profile, m string) string { return "fargate." + profile + "." + m }

// fargateColumns appends the Fargate columns.
func (w *World) fargateColumns(cols []string, missing []bool) ([]string, []bool) {
	for _, fp := range w.cfg.FargateProfiles {
		for _, m := range FargateMeasures {
			cols, missing = append(cols, FargateColumn(fp.Name, m)), append(missing, false)
		}
	}
	return cols, missing
}

// sampleFargate records the Fargate columns.
func (w *World) sampleFargate(put func(float64)) {
	for i := range w.cfg.FargateProfiles {
		put(float64(w.fg.held[i]))
		put(float64(w.fg.vcpu[i]) / 1024)
	}
}

// FargateSummary is the Fargate part of summary.json's eks: the pods that
// ran on Fargate (their node registered), the most at once, those still
// holding a Fargate node at the end, and per profile.
type FargateSummary struct {
	Pods     int                     `json:"pods"`
	PeakPods int                     `json:"peak_pods"`
	AtEnd    int                     `json:"at_end"`
	Profiles []FargateProfileSummary `json:"profiles"`
}

// FargateProfileSummary is one profile's pods: how many ran, the most at
// once, and how many of each provisioned size ("0.25 vCPU 0.5 GB").
type FargateProfileSummary struct {
	Name     string         `json:"name"`
	Pods     int            `json:"pods"`
	PeakPods int            `json:"peak_pods"`
	Sizes    map[string]int `json:"sizes"`
}

// FargateSizeName writes a Fargate size as AWS's table does: "0.25 vCPU
// 0.5 GB".
func FargateSizeName(cpu, memoryMiB int) string {
	return strconv.FormatFloat(float64(cpu)/1024, 'f', -1, 64) + " vCPU " +
		strconv.FormatFloat(float64(memoryMiB)/1024, 'f', -1, 64) + " GB"
}

// fargateOutcome fills the Outcome's Fargate usage (a pod still running
// holds its capacity to the run's end) and the summary's Fargate part, and
// counts each workload's Fargate pods.
func (w *World) fargateOutcome(o *Outcome) {
	if len(w.cfg.FargateProfiles) == 0 {
		return
	}
	f := &w.fg
	o.Fargate = make([]FargatePodUsage, len(f.usage))
	copy(o.Fargate, f.usage)
	fs := &FargateSummary{Pods: len(f.usage), PeakPods: f.peakAll, AtEnd: f.running, Profiles: []FargateProfileSummary{}}
	for i, fp := range w.cfg.FargateProfiles {
		fs.Profiles = append(fs.Profiles, FargateProfileSummary{Name: fp.Name, PeakPods: f.peak[i], Sizes: map[string]int{}})
	}
	byName := map[string]int{}
	for i, fp := range w.cfg.FargateProfiles {
		byName[fp.Name] = i
	}
	for k := range o.Fargate {
		u := &o.Fargate[k]
		if u.Stop < 0 {
			u.Stop = w.now()
		}
		ps := &fs.Profiles[byName[u.Profile]]
		ps.Pods++
		ps.Sizes[FargateSizeName(u.CPU, u.MemoryMiB)]++
		if wl := f.owner[k]; wl < len(o.Summary.Workloads) {
			o.Summary.Workloads[wl].FargatePods++
		}
	}
	o.Summary.Fargate = fs
}
