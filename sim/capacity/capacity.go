// Package capacity is what AWS's EC2 side does for any orchestrator: EC2
// instances with their facts and lifecycle, Auto Scaling groups (mixed
// instances, Availability Zone balance, the default termination policy,
// launch delay), Spot notices and reclaims, zone outages and failures, the
// image cache on each instance, Fargate's task sizes, and the usage records
// billing reads. It knows no orchestrator: ECS (sim/ecs) and EKS (sim/eks)
// sit on top and hear about their instances through the Orchestrator
// interface; capacity never reaches into their state.
package capacity

import (
	"time"

	"github.com/fleetsim/fleetsim/sim/capacity/catalog"
)

// Config is the capacity a run starts with. A run never writes to it.
type Config struct {
	Zones    []string // the Availability Zones in use, in the scenario's order
	Groups   []GroupConfig
	Settings Settings
	// ECR is the registry model (ecr.go); nil: pulls at
	// Settings.ImagePullBytesPerSecond, never failing.
	ECR *ECRConfig
}

// Settings are EC2's timings: documented where AWS documents them, choices
// otherwise (docs/semantics says which).
type Settings struct {
	// SpotNotice is the EC2 Spot interruption warning (2 min).
	SpotNotice time.Duration
	// InstanceFailureDetection is how long a group takes to notice a failed
	// instance and replace it (choice: 3 min of failed EC2 status checks).
	InstanceFailureDetection time.Duration
	// ImagePullBytesPerSecond is an instance's registry pull bandwidth.
	ImagePullBytesPerSecond int64
	// CachedPullTime is a registry check of an image the instance already
	// holds, when the orchestrator's pull policy asks for one (choice: 1 s,
	// a manifest check).
	CachedPullTime time.Duration
}

// GroupConfig is an EC2 Auto Scaling group.
type GroupConfig struct {
	Name              string
	InstanceTypes     []catalog.InstanceType // the mixed instances policy's overrides, in priority order
	MinSize           int
	MaxSize           int
	DesiredCapacity   int
	AvailabilityZones []string      // defaults to the cluster's
	LaunchTime        time.Duration // boot plus the orchestrator's agent registration
	Attributes        []Attribute   // custom attributes the orchestrator registers

	// Mixed instances policy. AWS (EC2 Auto Scaling, InstancesDistribution):
	// OnDemandBaseCapacity default 0, OnDemandPercentageAboveBaseCapacity
	// default 100.
	OnDemandBaseCapacity         int
	OnDemandPercentageAboveBase  int
	SpotAllocationStrategy       string
	SpotInterruptionsPerInstHour float64 // EC2 Spot interruptions per spot instance-hour
	NewInstancesProtected        bool    // NewInstancesProtectedFromScaleIn

	// EC2 Auto Scaling extras that change capacity timing: a warm pool
	// (warmpool.go; nil: none), Capacity Rebalancing for Spot with the
	// rebalance recommendation RebalanceLead before the interruption
	// notice (rebalance_rec.go), and the instance maintenance policy
	// (refresh.go; nil: none).
	WarmPool          *WarmPoolConfig
	CapacityRebalance bool
	RebalanceLead     time.Duration
	Maintenance       *MaintenancePolicy

	// Direct makes the group a set of directly launched instances, as an
	// EC2 Fleet request of type "instant" (what Karpenter does) gives: no
	// desired capacity, no replacement, no rebalancing; the orchestrator
	// launches and terminates each instance (LaunchDirect, TerminateDirect).
	Direct bool
}

// Attribute is a name and value an instance carries (ECS registers them as
// container instance attributes, EKS as node labels).
type Attribute struct{ Name, Value string }

// PurchaseOption is how an instance is bought.
type PurchaseOption uint8

// Purchase options.
const (
	OnDemand PurchaseOption = iota
	Spot
)

func (p PurchaseOption) String() string { return [...]string{"on-demand", "spot"}[p] }

// EndReason is why an instance ended: billing tells an EC2 Spot
// interruption from a termination the user (or their scaling) asked for.
type EndReason uint8

// End reasons.
const (
	EndRunning    EndReason = iota // not ended: still running at the end of the run
	EndTerminated                  // terminated by its group (scale-in, rebalancing)
	EndReclaimed                   // EC2 reclaimed the Spot instance
	EndFailed                      // failed (status checks, a zone outage)
)

func (r EndReason) String() string {
	return [...]string{"running", "terminated", "spot-reclaimed", "failed"}[r]
}

// Orchestrator is what runs on the instances (ECS, EKS). Capacity calls it
// at each step of an instance's life; the orchestrator answers through the
// Fleet's operations, never by changing capacity's state.
type Orchestrator interface {
	// InstanceRegistered: the instance booted and its agent registered.
	InstanceRegistered(i int32)
	// InstanceTerminating: the group chose the instance for termination.
	// Return true to drain it first (a lifecycle hook): the orchestrator
	// calls Fleet.Release when it is empty. Return false to let it go now.
	InstanceTerminating(i int32, cause string) bool
	// InstanceInterrupted: EC2 sent the Spot interruption notice; the
	// reclaim follows Settings.SpotNotice later.
	InstanceInterrupted(i int32)
	// InstanceLost: the instance is going away now, for why (with a
	// message as EC2 or ECS would word it): stop whatever still runs there
	// and forget it. Called once per registered instance, last.
	InstanceLost(i int32, why EndReason, message string)
	// ScaleInProtected reports whether scale-in may not choose the
	// instance. The orchestrator decides (ECS's managed termination
	// protection), reading the instance's own flag otherwise.
	ScaleInProtected(i int32) bool
}
