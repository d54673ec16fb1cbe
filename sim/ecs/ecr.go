package ecs

import (
	"github.com/fleetsim/fleetsim/sim/capacity"
	"github.com/fleetsim/fleetsim/sim/des"
)

// pullFailure is the registry error the task's image pulls meet now on
// instance in (in < 0: Fargate, which pulls every time), "" when none does
// (docs/semantics/ecr.md). For a cached image only "always" goes to the
// registry and fails: under "default" the agent falls back to the cached
// image when the pull fails; "once" and "prefer-cached" do not pull it.
// AWS (ECS container agent configuration, ECS_IMAGE_PULL_BEHAVIOR).
func (w *World) pullFailure(in int32, sp *placementSpec) string {
	always := w.cfg.Settings.ImagePullBehavior == "always"
	for _, img := range sp.images {
		var msg string
		if in < 0 {
			msg = w.fleet.RegistryFailure(img)
		} else {
			msg = w.fleet.PullFailure(in, img, always)
		}
		if msg != "" {
			return msg
		}
	}
	return ""
}

// pullOrFail pulls task t's images onto instance in and returns when they
// are there; when the registry fails the pull (pullFailure), nothing is
// pulled or cached and the task fails a manifest check later
// (capacity.Fleet.FailedPullTime, choice).
func (w *World) pullOrFail(t, in int32, sp *placementSpec) des.Time {
	tk := &w.tasks[t]
	if tk.pullErr = w.strs.id(w.pullFailure(in, sp)); tk.pullErr != 0 {
		return w.eng.Now() + des.At(w.fleet.FailedPullTime())
	}
	return w.pullImages(in, sp)
}

// cannotPullReason is the stopped reason of a task that failed to start
// for its images: the registry's error when a pull failure (ecr.go) hit it.
func (w *World) cannotPullReason(t int32) string {
	if e := w.strs.str(w.tasks[t].pullErr); e != "" {
		return "CannotPullContainerError: " + e
	}
	return "CannotPullContainerError: pull image manifest has been retried 5 time(s)"
}

// fargatePullTime is how long a Fargate task's images take: one pull of
// their sum at FargatePullBytesPerSecond, or through the registry model
// image by image when the scenario has one.
func (w *World) fargatePullTime(t int32, sp *placementSpec) des.Time {
	s := &w.cfg.Settings
	if !w.fleet.HasECR() {
		return capacity.PullTime(sp.imageSum, s.FargatePullBytesPerSecond)
	}
	if w.tasks[t].pullErr != 0 {
		return des.At(w.fleet.FailedPullTime()) // failed at the manifest: nothing moved
	}
	td := &w.cfg.TaskDefinitions[sp.def]
	var d des.Time
	for i, img := range sp.images {
		d += w.fleet.PullUncached(img, td.Containers[i].ImageSizeBytes, s.FargatePullBytesPerSecond) - w.eng.Now()
	}
	return d
}
