// Package schema declares what a run records: the event log's rows and
// their types (events.csv), and the per-minute series' columns
// (timeseries.csv). The simulation writes through these names and the
// report reads through them, so a rename is a compile error, never a figure
// that silently disappears. docs/outputs.md documents each one for users;
// a test checks that it does.
package schema

import "github.com/fleetsim/fleetsim/sim/des"

// Event is one row of the event log.
type Event struct {
	At       des.Time
	Type     EventType
	Subject  string // task ID, EC2 instance ID, service, group or zone
	Group    string // task group ("service:web", "family:etl") or Auto Scaling group
	Status   string // the subject's new status
	Reason   string // stop reason, placement failure reason, cause
	Instance string // a task's container instance; an instance's type
	Provider string // a task's capacity provider
}

// EventType names what an Event records.
type EventType = string

// Event types. Capacity (EC2 and Auto Scaling) first, then ECS.
const (
	InstanceLaunch                  EventType = "InstanceLaunch"                  // EC2 launched an instance (Reason: its purchase option)
	InstanceTerminated              EventType = "InstanceTerminated"              // an instance is gone
	InstanceFailed                  EventType = "InstanceFailed"                  // an instance failed (timeline, zone outage)
	SpotInterruptionNotice          EventType = "SpotInterruptionNotice"          // EC2's two-minute Spot warning
	LaunchFailed                    EventType = "LaunchFailed"                    // a group could not launch (every zone down)
	AutoScalingGroupDesiredCapacity EventType = "AutoScalingGroupDesiredCapacity" // a group's desired capacity changed
	ScaleInProtected                EventType = "ScaleInProtected"                // scale-in stopped at protected instances
	InstanceRefresh                 EventType = "InstanceRefresh"                 // a group's instance refresh started, paused at a checkpoint, ended
	EC2RebalanceRecommendation      EventType = "EC2RebalanceRecommendation"      // EC2 signalled a Spot instance at elevated risk (Capacity Rebalancing)
	ZoneOutage                      EventType = "ZoneOutage"                      // an Availability Zone went down
	ZoneRecovered                   EventType = "ZoneRecovered"                   // and came back

	InstanceRegistered    EventType = "InstanceRegistered"    // a container instance registered with the cluster
	InstanceDraining      EventType = "InstanceDraining"      // a container instance began draining
	TaskStateChange       EventType = "TaskStateChange"       // a task's lastStatus changed
	PlacementFailed       EventType = "PlacementFailed"       // a task could not be placed (first time, with ECS's reason)
	RunTaskFailed         EventType = "RunTaskFailed"         // RunTask returned a failure
	ScalingActivity       EventType = "ScalingActivity"       // Application Auto Scaling changed a desired count
	AlarmStateChange      EventType = "AlarmStateChange"      // a scaling policy's alarm changed state
	ScheduledAction       EventType = "ScheduledAction"       // a scheduled action fired without changing desired
	ScheduledActionFailed EventType = "ScheduledActionFailed" // a scheduled action could not be applied
	UpdateService         EventType = "UpdateService"         // a timeline update changed a desired count
	DeploymentStarted     EventType = "DeploymentStarted"     // a service deployment began
	DeploymentCompleted   EventType = "DeploymentCompleted"   // and completed
	DeploymentFailed      EventType = "DeploymentFailed"      // or failed (circuit breaker, superseded)
	ServiceRebalancing    EventType = "ServiceRebalancing"    // Availability Zone rebalancing STARTED or COMPLETED
	DeploymentStage       EventType = "DeploymentStage"       // a blue/green, linear or canary deployment's lifecycle stage, traffic step or hook
	TaskProtection        EventType = "TaskProtection"        // task scale-in protection set, removed, expired, refused, or holding a scale-in or deployment back
)

// EventTypes lists every event type, in the order above.
var EventTypes = []EventType{
	InstanceLaunch, InstanceTerminated, InstanceFailed, SpotInterruptionNotice, LaunchFailed,
	AutoScalingGroupDesiredCapacity, ScaleInProtected, InstanceRefresh, EC2RebalanceRecommendation, ZoneOutage, ZoneRecovered,
	InstanceRegistered, InstanceDraining, TaskStateChange, PlacementFailed, RunTaskFailed,
	ScalingActivity, AlarmStateChange, ScheduledAction, ScheduledActionFailed, UpdateService,
	DeploymentStarted, DeploymentCompleted, DeploymentFailed, ServiceRebalancing, DeploymentStage,
	TaskProtection,
}

// Series is the per-minute recording: one row per sample time, one named
// column per measure.
type Series struct {
	Times   []des.Time
	Columns []Column
}

// Column is one measure over time.
type Column struct {
	Name   string
	Values []float64
}

// Cluster-wide columns, in the order a run writes them.
const (
	InstancesLaunching  = "instances_launching"   // EC2 instances launched and not yet registered
	InstancesActive     = "instances_active"      // container instances ACTIVE or DRAINING
	CPURegisteredUnits  = "cpu_registered_units"  // CPU units the container instances registered
	CPUReservedUnits    = "cpu_reserved_units"    // of which tasks reserve
	MemoryRegisteredMiB = "memory_registered_mib" // memory the container instances registered
	MemoryReservedMiB   = "memory_reserved_mib"   // of which tasks reserve
	FargateTasks        = "fargate_tasks"         // Fargate tasks not yet STOPPED
	TasksProvisioning   = "tasks_provisioning"    // tasks waiting for capacity
	TasksPending        = "tasks_pending"         // tasks placed, pulling or starting
	TasksRunning        = "tasks_running"         // tasks RUNNING
)

// ClusterColumns lists the cluster-wide columns in order.
var ClusterColumns = []string{InstancesLaunching, InstancesActive, CPURegisteredUnits, CPUReservedUnits,
	MemoryRegisteredMiB, MemoryReservedMiB, FargateTasks, TasksProvisioning, TasksPending, TasksRunning}

// Measure is one per-entity measure: a column is ENTITY.NAME.MEASURE.
type Measure string

// Per-service measures, in the order a run writes them.
const (
	ServiceDesired      Measure = "desired"
	ServiceProvisioning Measure = "provisioning"
	ServicePending      Measure = "pending"
	ServiceRunning      Measure = "running"
	ServiceLoadRPS      Measure = "load_rps"
	ServiceCPU          Measure = "cpu_utilization"
	ServiceMemory       Measure = "memory_utilization"
	ServiceResponseMs   Measure = "response_ms"
	ServiceDroppedRPS   Measure = "dropped_rps"
	ServiceHealthy      Measure = "healthy"
	ServiceBacklog      Measure = "backlog"
	ServiceNeeded       Measure = "needed"
)

// ServiceMeasures lists the per-service measures in order.
var ServiceMeasures = []Measure{ServiceDesired, ServiceProvisioning, ServicePending, ServiceRunning, ServiceLoadRPS,
	ServiceCPU, ServiceMemory, ServiceResponseMs, ServiceDroppedRPS, ServiceHealthy, ServiceBacklog, ServiceNeeded}

// Per-service measures of a service with a predictive scaling policy,
// written after the capacity providers' columns (sim/ecs/scaling.go): the
// forecast load of the hour, the load metric measured, and the forecast
// capacity (ceil(forecast / target)); missing before the first forecast.
const (
	ServiceForecastLoad     Measure = "forecast_load"
	ServiceLoadMetric       Measure = "load_metric"
	ServiceForecastCapacity Measure = "forecast_capacity"
)

// ServiceForecastMeasures lists the predictive measures in order.
var ServiceForecastMeasures = []Measure{ServiceForecastLoad, ServiceLoadMetric, ServiceForecastCapacity}

// Per-batch-job measures.
const (
	JobProvisioning Measure = "provisioning"
	JobPending      Measure = "pending"
	JobRunning      Measure = "running"
)

// JobMeasures lists the per-job measures in order.
var JobMeasures = []Measure{JobProvisioning, JobPending, JobRunning}

// Per-Auto Scaling group measures.
const (
	GroupDesired  Measure = "desired"
	GroupOnDemand Measure = "on_demand" // in service
	GroupSpot     Measure = "spot"      // in service
	GroupDraining Measure = "draining"  // container instances DRAINING
)

// GroupMeasures lists the per-group measures in order.
var GroupMeasures = []Measure{GroupDesired, GroupOnDemand, GroupSpot, GroupDraining}

// ProviderReservation is a managed-scaling capacity provider's
// CapacityProviderReservation metric.
const ProviderReservation Measure = "reservation"

// Column prefixes of the per-entity columns.
const (
	servicePrefix  = "service."
	jobPrefix      = "job."
	groupPrefix    = "group."
	providerPrefix = "capacity_provider."
)

// ServiceColumn names a service's measure: "service.web.running".
func ServiceColumn(service string, m Measure) string {
	return servicePrefix + service + "." + string(m)
}

// JobColumn names a batch job's measure: "job.etl.pending".
func JobColumn(job string, m Measure) string { return jobPrefix + job + "." + string(m) }

// GroupColumn names an Auto Scaling group's measure: "group.asg.spot".
func GroupColumn(group string, m Measure) string { return groupPrefix + group + "." + string(m) }

// ProviderColumn names a capacity provider's measure:
// "capacity_provider.ec2.reservation".
func ProviderColumn(provider string, m Measure) string {
	return providerPrefix + provider + "." + string(m)
}

// MayBeMissing reports whether a service measure has no value in some
// minutes (no RUNNING task, no load, no CPU target): written as an empty
// cell, NaN in memory.
func MayBeMissing(m Measure) bool {
	switch m {
	case ServiceLoadRPS, ServiceCPU, ServiceMemory, ServiceResponseMs, ServiceDroppedRPS, ServiceBacklog, ServiceNeeded,
		ServiceForecastLoad, ServiceLoadMetric, ServiceForecastCapacity:
		return true
	}
	return false
}

// Log is the event log one run appends to; capacity and the orchestrators
// share it, so events keep the order they happened in. The zero Log is
// empty and ready.
//
// It fills chunks rather than one slice: a slice past a few hundred
// elements grows by a quarter at a time, so a run's log of 320,000 events
// (large-week, 38 MB) was allocated five times over (181 MB) and copied,
// with the collector's write barriers on every pointer, as it grew. The
// chunks are copied once, when All puts them together.
type Log struct {
	chunks [][]Event // full chunks, in order
	cur    []Event   // the chunk being filled
	n      int
}

// maxChunk is the largest chunk's length: 8,192 events, about 1 MB.
const maxChunk = 8192

// NewLog returns an empty log with room for n events before it grows.
func NewLog(n int) *Log { return &Log{cur: make([]Event, 0, max(n, 0))} }

// Add appends an event.
func (l *Log) Add(e Event) {
	if len(l.cur) == cap(l.cur) {
		if len(l.cur) > 0 {
			l.chunks = append(l.chunks, l.cur)
		}
		l.cur = make([]Event, 0, min(max(l.n, 64), maxChunk))
	}
	l.cur = append(l.cur, e)
	l.n++
}

// Len is the number of events logged.
func (l *Log) Len() int { return l.n }

// All returns every event logged, in order, as one slice. The log keeps
// that slice as its only chunk: called again with nothing added, it copies
// nothing. An Add after it leaves the slice as it was.
func (l *Log) All() []Event {
	if len(l.chunks) == 0 {
		return l.cur[:len(l.cur):len(l.cur)]
	}
	all := make([]Event, 0, l.n)
	for _, c := range l.chunks {
		all = append(all, c...)
	}
	all = append(all, l.cur...)
	l.chunks, l.cur = nil, all
	return all[:len(all):len(all)]
}
