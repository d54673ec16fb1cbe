package sim

import (
	"time"

	"github.com/fleetsim/fleetsim/sim/capacity"
	"github.com/fleetsim/fleetsim/sim/des"
	"github.com/fleetsim/fleetsim/sim/ecs"
	"github.com/fleetsim/fleetsim/sim/eks"
	"github.com/fleetsim/fleetsim/sim/schema"
)

// Result is what a run recorded. It is plain data, but for State, which
// describes the final ECS cluster when asked: report writes it out.
type Result struct {
	Config  *Config
	Series  schema.Series
	Events  []schema.Event
	Summary Summary
	State   ecs.StateSource // state.json's ECS describe calls: State.Describe(), or one at a time with Each
	Stats   des.Stats

	// Usage, for billing and utilisation.
	End       des.Time // the simulated end
	Providers []ecs.ProviderInfo
	Owners    []ecs.OwnerInfo // services, then batch jobs
	Instances []InstanceUsage // by fleet index: a TaskUsage's Instance indexes it
	Tasks     ecs.TaskUsages  // in placement order

	// EKS is what the EKS world recorded (nil for an ECS run): its series
	// is Series, its summary Summary.EKS; State describes State{} and EKS.State
	// holds the nodes and pods (state.json).
	EKS *EKSOutcome
	// ECR is the registry's books (Config.ECR; zero without one): storage
	// and cross-region bytes, for the bill's ECR lines.
	ECR capacity.ECRUsage
	// Explain holds the placements Config.Explain (or EKS.Explain) chose,
	// laid out for explain.json; nil when none was.
	Explain *Explanations
}

// The EKS series' column names (sim/eks record.go), for what reads a
// Result without importing the orchestrator.
const (
	EKSNodesLaunching  = eks.ColNodesLaunching
	EKSNodesReady      = eks.ColNodesReady
	EKSPodsPending     = eks.ColPodsPending
	EKSPodsUnscheduled = eks.ColPodsUnscheduled
	EKSPodsRunning     = eks.ColPodsRunning
	EKSPodsTerminating = eks.ColPodsTerminating
	EKSCPUAllocatable  = eks.ColCPUAllocatable
	EKSCPURequested    = eks.ColCPURequested
	EKSMemAllocatable  = eks.ColMemAllocatable
	EKSMemRequested    = eks.ColMemRequested
)

// EKSNodeGroupColumn names a node group's measure ("desired", "nodes",
// "on_demand", "spot", "cordoned").
func EKSNodeGroupColumn(name, measure string) string { return eks.NodeGroupColumn(name, measure) }

// EKSDeploymentColumn names a Deployment's measure ("desired", "pods",
// "available", "pending", "load_rps", "cpu_utilization", "dropped_rps").
func EKSDeploymentColumn(name, measure string) string { return eks.DeploymentColumn(name, measure) }

// EKSOutcome, EKSSummary and EKSState are the EKS world's records, named
// here so that what reads a Result needs no import of the orchestrator.
type (
	EKSOutcome = eks.Outcome
	EKSSummary = eks.Summary
	EKSState   = eks.List
)

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
	WarmUp            string               `json:"warm_up,omitempty"` // the steady figures start after it
	Services          []ecs.ServiceSummary `json:"services"`
	BatchJobs         []ecs.JobSummary     `json:"batch_jobs"`
	Instances         InstanceSummary      `json:"instances"`
	PlacementFailures map[string]int       `json:"placement_failures"` // tasks by first failure reason
	PeakServiceTasks  int                  `json:"peak_service_tasks_running"`
	EventsProcessed   uint64               `json:"events_processed"`
	EKS               *EKSSummary          `json:"eks,omitempty"` // an EKS run's nodes, pods and workloads
	// Warnings are the scenario's warnings (fields AWS accepts that the run
	// does not model, quotas passed...), one a line as fleetsim prints them;
	// the CLI sets them before writing the run.
	Warnings []string `json:"warnings,omitempty"`
}

// InstanceSummary counts EC2 instances.
type InstanceSummary struct {
	Launched          int `json:"launched"`
	Terminated        int `json:"terminated"`
	SpotInterruptions int `json:"spot_interruptions"`            // EC2 instances and Fargate Spot tasks
	Peak              int `json:"peak"`                          // after the warm-up, when there is one
	PeakDuringWarmUp  int `json:"peak_during_warm_up,omitempty"` // 0 (left out) without a warm-up
	AtEnd             int `json:"at_end"`
}

// result puts together what capacity and ECS recorded.
func (w *World) result() *Result {
	explained := w.ecs.Explanations() // before Outcome, which lets the run's state go
	o := w.ecs.Outcome()
	f := w.fleet
	res := &Result{Config: w.cfg, Series: o.Series, Events: w.log.All(), Stats: w.eng.Stats(), State: o.State,
		End: w.eng.Now(), Providers: o.Providers, Owners: o.Owners, Tasks: o.Tasks}
	res.ECR = f.ECRUsage()
	if len(explained) > 0 {
		res.Explain = &Explanations{Tasks: explained}
	}
	for _, u := range f.Usage(res.End) {
		res.Instances = append(res.Instances, InstanceUsage{InstanceUsage: u, Provider: o.ProviderOfGroup[u.Group]})
	}
	atEnd := f.Present()
	warmUp := ""
	if w.cfg.Settings.WarmUp > 0 {
		warmUp = w.cfg.Settings.WarmUp.String()
	}
	res.Summary = Summary{
		Scenario:          w.cfg.Name,
		Description:       w.cfg.Description,
		Seed:              w.cfg.Seed,
		Start:             w.cfg.Start.Format(time.RFC3339),
		SimulatedDuration: w.cfg.Duration.String(),
		WarmUp:            warmUp,
		Services:          o.Services,
		BatchJobs:         o.BatchJobs,
		Instances: InstanceSummary{Launched: f.Launched(), Terminated: f.Terminated(), Peak: max(o.PeakInstances, atEnd), AtEnd: atEnd, PeakDuringWarmUp: o.PeakDuringWarmUp,
			SpotInterruptions: f.SpotNotices() + o.FargateSpotStops},
		PlacementFailures: o.PlacementFailures,
		PeakServiceTasks:  o.PeakServiceTasks,
		EventsProcessed:   res.Stats.Events,
	}
	return res
}

// eksResult puts together what capacity and EKS recorded.
func (w *World) eksResult() *Result {
	o := w.eks.Outcome()
	f := w.fleet
	res := &Result{Config: w.cfg, Series: o.Series, Events: w.log.All(), Stats: w.eng.Stats(), End: w.eng.Now(), EKS: o}
	res.ECR = f.ECRUsage()
	if ps := w.eks.Explanations(); len(ps) > 0 {
		res.Explain = &Explanations{Pods: ps}
	}
	for _, u := range f.Usage(res.End) {
		res.Instances = append(res.Instances, InstanceUsage{InstanceUsage: u, Provider: -1})
	}
	atEnd := f.Present()
	sum := o.Summary
	res.Summary = Summary{
		Scenario:          w.cfg.Name,
		Description:       w.cfg.Description,
		Seed:              w.cfg.Seed,
		Start:             w.cfg.Start.Format(time.RFC3339),
		SimulatedDuration: w.cfg.Duration.String(),
		Services:          []ecs.ServiceSummary{},
		BatchJobs:         []ecs.JobSummary{},
		Instances: InstanceSummary{Launched: f.Launched(), Terminated: f.Terminated(), Peak: max(o.PeakInstances, atEnd),
			AtEnd: atEnd, SpotInterruptions: f.SpotNotices()},
		PlacementFailures: map[string]int{},
		EventsProcessed:   res.Stats.Events,
		EKS:               &sum,
	}
	return res
}
