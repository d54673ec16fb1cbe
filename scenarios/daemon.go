package scenarios

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/sim/ecs"
)

// daemonService reads scheduling_strategy. AWS (ECS Developer Guide,
// "Daemon scheduling strategy"): a DAEMON service runs one task on each
// active container instance that meets its placement constraints, "there is
// no need to specify a desired number of tasks, a task placement strategy,
// or use Service Auto Scaling policies"; "the maximum percent parameter
// must be 100", minimumHealthyPercent defaults to 0%; Fargate does not
// support it, nor do the CODE_DEPLOY and EXTERNAL controllers. The keys that
// mean nothing for a daemon are refused, not ignored.
func (v *validator) daemonService(path []string, s serviceSchema, sc *ecs.ServiceConfig) {
	k := func(key ...string) []string { return append(slices.Clone(path), key...) }
	switch v.enum(k("scheduling_strategy"), []string{"REPLICA", "DAEMON"}, s.SchedulingStrategy, 0) {
	case 0:
		return
	}
	sc.Daemon = true
	const why = "a DAEMON service runs one task on each matching container instance"
	if s.DesiredCount != 0 {
		v.badHint(k("desired_count"), "no desired_count on a DAEMON service", fmt.Sprint(s.DesiredCount), why)
	}
	if s.AutoScaling != nil {
		v.badHint(k("auto_scaling"), "no auto_scaling on a DAEMON service", "[services.auto_scaling]", why+": Service Auto Scaling does not apply")
	}
	if len(s.PlacementStrategy) > 0 {
		v.badHint(k("placement_strategy"), "no placement_strategy on a DAEMON service", fmt.Sprintf("%d strategies", len(s.PlacementStrategy)), why)
	}
	if len(s.CapacityProviderStrategy) > 0 {
		v.badHint(k("capacity_provider_strategy"), "no capacity_provider_strategy on a DAEMON service", fmt.Sprintf("%d entries", len(s.CapacityProviderStrategy)),
			why+" (fleetsim's choice: every instance of the cluster, the EC2 launch type)")
	}
	switch s.LaunchType {
	case "", "EC2":
		sc.LaunchType = "EC2"
	default:
		v.bad(k("launch_type"), "EC2 (Fargate does not support the DAEMON scheduling strategy)", quoteShort(s.LaunchType))
	}
	if s.Load != nil && s.Load.Queue {
		v.bad(k("load", "queue"), "no queue load on a DAEMON service", "true")
	}
	if s.TaskProtection != nil {
		v.bad(k("task_protection"), "no task_protection on a DAEMON service (it has no scale-in)", "[services.task_protection]")
	}
	d := s.DeploymentConfiguration
	if d.Strategy != "" && d.Strategy != "ROLLING" {
		v.bad(k("deployment_configuration", "strategy"), "ROLLING for a DAEMON service", quoteShort(d.Strategy))
	}
	if d.MaximumPercent != nil && *d.MaximumPercent != 100 {
		v.bad(k("deployment_configuration", "maximum_percent"), "100 for a DAEMON service", fmt.Sprint(*d.MaximumPercent))
	}
	sc.MaximumPercent = 100
	sc.MinimumHealthyPercent = 0
	if d.MinimumHealthyPercent != nil {
		sc.MinimumHealthyPercent = *d.MinimumHealthyPercent
	}
	sc.AZRebalancing = false // Availability Zone rebalancing moves replica tasks only
}

// protectionExpiry reads an expires_in: 1 to 2,880 whole minutes (AWS,
// UpdateTaskProtection expiresInMinutes), 2 hours when absent.
func (v *validator) protectionExpiry(path []string, d *Duration) time.Duration {
	if d == nil {
		return ecs.DefaultProtectionExpiry
	}
	if msg := ecs.ProtectionExpiryError(d.Duration); msg != "" {
		v.badHint(path, "an expiry from \"1m\" to \"2880m\" (48h) in whole minutes", d.Duration.String(), msg)
	}
	return d.Duration
}

// taskProtection reads a service's [services.task_protection]: rule
// "while_processing" (a queue worker protects a task while it holds a
// message) and expires_in.
func (v *validator) taskProtection(path []string, s serviceSchema) *ecs.TaskProtectionRule {
	tp := s.TaskProtection
	if tp == nil {
		return nil
	}
	r := &ecs.TaskProtectionRule{ExpiresIn: v.protectionExpiry(append(slices.Clone(path), "expires_in"), tp.ExpiresIn)}
	rules := []string{"while_processing"}
	switch {
	case tp.Rule == "":
		v.bad(append(slices.Clone(path), "rule"), "one of "+strings.Join(rules, ", "), "none")
	case v.enum(append(slices.Clone(path), "rule"), rules, tp.Rule, -1) == 0:
		r.WhileProcessing = true
		if s.Load == nil || !s.Load.Queue {
			v.badHint(append(slices.Clone(path), "rule"), "a queue-consuming service ([services.load] queue = true) for while_processing", "no queue",
				"a task holds a message only when the service consumes a queue")
		}
	}
	return r
}

// protectTasks checks a protect_tasks timeline entry: UpdateTaskProtection
// on count tasks (or a fraction) of a REPLICA service, protection_enabled
// (default true) and expires_in (default 2 hours).
func (v *validator) protectTasks(path []string, t timelineSchema, e *sim.TimelineEntry, cfg *sim.Config) {
	k := func(key string) []string { return append(slices.Clone(path), key) }
	e.Service = slices.IndexFunc(cfg.Services, func(s ecs.ServiceConfig) bool { return s.Name == t.Service })
	if e.Service < 0 {
		v.badName(k("service"), "services", t.Service, serviceNames(cfg))
	} else if cfg.Services[e.Service].Daemon {
		v.bad(k("service"), "a REPLICA service (UpdateTaskProtection protects a service's tasks from scale-in)", quoteShort(t.Service)+", a DAEMON service")
	}
	e.ProtectionEnabled = t.ProtectionEnabled == nil || *t.ProtectionEnabled
	e.ExpiresIn = v.protectionExpiry(k("expires_in"), t.ExpiresIn)
	if t.ExpiresIn != nil && !e.ProtectionEnabled {
		v.bad(k("expires_in"), "no expires_in when protection_enabled = false", t.ExpiresIn.Duration.String())
	}
	switch {
	case t.Count > 0 && t.Fraction > 0:
		v.bad(path, "either count or fraction", "both")
	case t.Count < 0:
		v.bad(k("count"), "a count >= 1", fmt.Sprint(t.Count))
	case t.Fraction < 0 || t.Fraction > 1 || math.IsNaN(t.Fraction):
		v.bad(k("fraction"), "a share of the service's running tasks in (0, 1]", fmt.Sprint(t.Fraction))
	case e.ProtectionEnabled && t.Count == 0 && t.Fraction == 0:
		v.bad(k("count"), "a count >= 1 or a fraction of the running tasks to protect", "none")
	}
}
