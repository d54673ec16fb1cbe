package sim

import (
	"fmt"
	"time"

	"github.com/fleetsim/fleetsim/sim/capacity"
	"github.com/fleetsim/fleetsim/sim/des"
	"github.com/fleetsim/fleetsim/sim/ecs"
	"github.com/fleetsim/fleetsim/sim/eks"
	"github.com/fleetsim/fleetsim/sim/schema"
)

// ErrInvariant marks a breach of the simulation's own rules: a bug in
// fleetsim, never a property of the scenario. The run ends with it.
var ErrInvariant = ecs.ErrInvariant

// World is one run: the kernel, the EC2 capacity fleet and the ECS cluster
// on it, sharing one event log. Build it with New and run it with Run; it is
// single-use.
type World struct {
	cfg   *Config
	eng   *des.Engine
	log   *schema.Log
	fleet *capacity.Fleet
	ecs   *ecs.World
	eks   *eks.World // instead of ecs when the scenario is an EKS cluster
	err   error      // what New could not build, returned by Run

	kTimeline des.Kind
}

// New builds the run of cfg. cfg must have been validated (scenarios.Load
// does); New panics on references out of range, which is a programming
// error. New never writes to cfg.
func New(cfg *Config) *World {
	w := &World{cfg: cfg, eng: des.New(cfg.Seed), log: schema.NewLog(startEvents(cfg))}
	w.eng.SetHorizon(des.At(cfg.Duration)) // Run's end: later events never fire
	w.fleet = capacity.New(cfg.capacityConfig(), w.eng, w.log)
	if cfg.EKS != nil {
		w.newEKS()
		return w
	}
	w.ecs = ecs.New(cfg.ecsConfig(), w.eng, w.fleet, w.log)
	w.ecs.Explain(cfg.Explain)
	w.fleet.Attach(w.ecs)
	w.kTimeline = w.eng.Register(w.onTimeline)
	return w
}

// startEvents is room for the events a run logs as it starts: each
// instance of the existing fleet is launched and registers, and each
// service's first deployment completes. Grown one append at a time, a
// large fleet's log would be copied again and again while it starts.
func startEvents(cfg *Config) int {
	n := len(cfg.Services) + 64
	for i := range cfg.Groups {
		if g := &cfg.Groups[i]; !g.Direct {
			n += 2 * g.DesiredCapacity
		}
	}
	return min(n, 1<<20)
}

// Engine exposes the kernel, for progress reporting.
func (w *World) Engine() *des.Engine { return w.eng }

// Run simulates the configured duration and returns what was recorded. The
// order of the first steps is the order of the first events: the existing
// fleet registers, services and jobs start, then the timeline's entries and
// the first sample are scheduled.
func (w *World) Run() (*Result, error) {
	if w.eks != nil || w.err != nil {
		return w.runEKS()
	}
	w.fleet.Start()
	w.ecs.Start()
	for i, e := range w.cfg.Timeline {
		w.eng.At(des.At(e.At), w.kTimeline, int32(i))
	}
	w.ecs.StartSampling()
	_, err := w.eng.Run(des.At(w.cfg.Duration))
	if err == nil {
		w.ecs.CheckEnd()
		err = w.eng.Err()
	}
	if err != nil {
		return nil, fmt.Errorf("at %s: %w", w.cfg.Start.Add(w.eng.Now().Duration()).Format(time.RFC3339), err)
	}
	res := w.result()
	if err := checkFinite(res.Summary); err != nil {
		return nil, err
	}
	return res, nil
}

// onTimeline carries out one scheduled operation: EC2's on the fleet, ECS's
// on the cluster.
func (w *World) onTimeline(_ des.Time, i int32) {
	e := &w.cfg.Timeline[i]
	switch e.Action {
	case "update_service":
		w.ecs.UpdateService(ecs.ServiceUpdate{Service: e.Service, TaskDefinition: e.TaskDefinition,
			DesiredCount: e.DesiredCount, MinimumHealthy: e.MinimumHealthy, MaximumPercent: e.MaximumPercent})
	case "set_desired_capacity":
		w.fleet.SetDesired(e.Group, *e.DesiredCount, "timeline: set_desired_capacity")
	case "drain_instances":
		for _, in := range w.ecs.PickInstances(e.Group, e.Count, "drain") {
			w.ecs.Drain(in)
		}
	case "fail_instances":
		for _, in := range w.ecs.PickInstances(e.Group, e.Count, "fail") {
			w.fleet.Fail(in, "Host EC2 instance failed its status checks")
		}
	case "az_outage":
		w.fleet.ZoneOutage(e.Zone, e.Duration)
		w.ecs.ZoneLost(e.Zone)
	case "spot_interruptions":
		w.fleet.SpotStorm(e.Group, e.Fraction, w.eng.Stream("timeline/spot"))
	case "instance_refresh":
		w.fleet.StartInstanceRefresh(e.Group, e.Refresh)
	case "protect_tasks":
		w.ecs.ProtectTasks(ecs.ProtectionUpdate{Service: e.Service, Count: e.Count, Fraction: e.Fraction,
			Enabled: e.ProtectionEnabled, ExpiresIn: e.ExpiresIn})
	default:
		panic("sim: unknown timeline action " + e.Action + " (scenario not validated?)")
	}
}

// newEKS builds the EKS world on the fleet, in place of ECS.
func (w *World) newEKS() {
	ek, err := eks.New(w.cfg.EKS, w.cfg.eksEnv(), w.eng, w.fleet, w.log, len(w.cfg.Groups))
	if err != nil {
		w.err = err
		return
	}
	w.eks = ek
	w.fleet.Attach(ek)
	w.kTimeline = w.eng.Register(w.onEKSTimeline)
}

// runEKS is Run for an EKS cluster: the existing fleet registers, the
// workloads start, the timeline and the first sample are scheduled.
func (w *World) runEKS() (*Result, error) {
	if w.err != nil {
		return nil, w.err
	}
	w.fleet.Start()
	w.eks.Start()
	for i, e := range w.cfg.EKS.Timeline {
		w.eng.At(des.At(e.At), w.kTimeline, int32(i))
	}
	w.eks.StartSampling()
	_, err := w.eng.Run(des.At(w.cfg.Duration))
	if err == nil {
		w.eks.CheckEnd()
		w.fleet.Check()
		err = w.eng.Err()
	}
	if err != nil {
		return nil, fmt.Errorf("at %s: %w", w.cfg.Start.Add(w.eng.Now().Duration()).Format(time.RFC3339), err)
	}
	res := w.eksResult()
	if err := checkFinite(res.Summary); err != nil {
		return nil, err
	}
	return res, nil
}

// onEKSTimeline carries out one EKS timeline entry: Kubernetes operations on
// the cluster, EC2 operations on the fleet.
func (w *World) onEKSTimeline(_ des.Time, i int32) {
	e := &w.cfg.EKS.Timeline[i]
	group := func() int { return w.cfg.EKS.NodeGroups[e.NodeGroup].Group }
	needsGroup := e.Action == "set_node_group_size" || e.Action == "spot_interruptions"
	needsDeploy := e.Action == "scale_deployment" || e.Action == "set_image"
	if needsGroup && (e.NodeGroup < 0 || e.NodeGroup >= len(w.cfg.EKS.NodeGroups)) ||
		needsDeploy && (e.Deployment < 0 || e.Deployment >= len(w.cfg.EKS.Deployments)) {
		w.eng.Fail(fmt.Errorf("sim: EKS timeline entry %d (%s): node group %d or deployment %d out of range (scenario not validated?)",
			i, e.Action, e.NodeGroup, e.Deployment))
		return
	}
	switch e.Action {
	case "scale_deployment":
		w.eks.ScaleDeployment(e.Deployment, e.Replicas)
	case "set_image":
		w.eks.SetImage(e.Deployment, e.Image)
	case "drain_nodes":
		for _, n := range w.eks.PickNodes(e.NodeGroup, e.Count, "drain") {
			w.eks.DrainNode(n)
		}
	case "set_node_group_size":
		w.fleet.SetDesired(group(), e.Count, "timeline: set_node_group_size")
	case "fail_nodes":
		for _, n := range w.eks.PickNodes(e.NodeGroup, e.Count, "fail") {
			w.fleet.Fail(n, "Host EC2 instance failed its status checks")
		}
	case "az_outage":
		w.fleet.ZoneOutage(e.Zone, e.Duration)
	case "spot_interruptions":
		w.fleet.SpotStorm(group(), e.Fraction, w.eng.Stream("timeline/spot"))
	default:
		w.eng.Fail(fmt.Errorf("sim: unknown EKS timeline action %q (scenario not validated?)", e.Action))
	}
}
