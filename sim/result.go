package sim

import (
	"time"

	"github.com/fleetsim/fleetsim/sim/capacity"
	"github.com/fleetsim/fleetsim/sim/des"
	"github.com/fleetsim/fleetsim/sim/ecs"
	"github.com/fleetsim/fleetsim/sim/schema"
)

// Result is what a run recorded. It is plain data: report writes it out.
type Result struct {
	Config  *Config
	Series  schema.Series
	Events  []schema.Event
	Summary Summary
	State   ecs.State
	Stats   des.Stats

	// Usage, for billing and utilisation.
	End       des.Time // the simulated end
	Providers []ecs.ProviderInfo
	Owners    []ecs.OwnerInfo // services, then batch jobs
	Instances []InstanceUsage // by fleet index: a TaskUsage's Instance indexes it
	Tasks     []ecs.TaskUsage
}

// InstanceUsage is one EC2 instance's life (capacity's record) and the
// capacity provider its group serves.
type InstanceUsage struct {
	capacity.InstanceUsage
	Provider int // index into Result.Providers; -1 when no capacity provider uses the group
}

// Summary is the run's outcome in numbers (summary.json).
type Summary struct {
	Scenario          string               `json:"scenario"`
	Description       string               `json:"description,omitempty"`
	Seed              uint64               `json:"seed"`
	Start             string               `json:"start"`
	SimulatedDuration string               `json:"simulated_duration"`
	Services          []ecs.ServiceSummary `json:"services"`
	BatchJobs         []ecs.JobSummary     `json:"batch_jobs"`
	Instances         InstanceSummary      `json:"instances"`
	PlacementFailures map[string]int       `json:"placement_failures"` // tasks by first failure reason
	PeakServiceTasks  int                  `json:"peak_service_tasks_running"`
	EventsProcessed   uint64               `json:"events_processed"`
}

// InstanceSummary counts EC2 instances.
type InstanceSummary struct {
	Launched          int `json:"launched"`
	Terminated        int `json:"terminated"`
	SpotInterruptions int `json:"spot_interruptions"` // EC2 instances and Fargate Spot tasks
	Peak              int `json:"peak"`
	AtEnd             int `json:"at_end"`
}

// result puts together what capacity and ECS recorded.
func (w *World) result() *Result {
	o := w.ecs.Outcome()
	f := w.fleet
	res := &Result{Config: w.cfg, Series: o.Series, Events: w.log.Events, Stats: w.eng.Stats(), State: o.State,
		End: w.eng.Now(), Providers: o.Providers, Owners: o.Owners, Tasks: o.Tasks}
	for _, u := range f.Usage(res.End) {
		res.Instances = append(res.Instances, InstanceUsage{InstanceUsage: u, Provider: o.ProviderOfGroup[u.Group]})
	}
	atEnd := f.Present()
	res.Summary = Summary{
		Scenario:          w.cfg.Name,
		Description:       w.cfg.Description,
		Seed:              w.cfg.Seed,
		Start:             w.cfg.Start.Format(time.RFC3339),
		SimulatedDuration: w.cfg.Duration.String(),
		Services:          o.Services,
		BatchJobs:         o.BatchJobs,
		Instances: InstanceSummary{Launched: f.Launched(), Terminated: f.Terminated(), Peak: max(o.PeakInstances, atEnd), AtEnd: atEnd,
			SpotInterruptions: f.SpotNotices() + o.FargateSpotStops},
		PlacementFailures: o.PlacementFailures,
		PeakServiceTasks:  o.PeakServiceTasks,
		EventsProcessed:   res.Stats.Events,
	}
	return res
}
