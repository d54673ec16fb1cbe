// Package clusterautoscaler models the Kubernetes Cluster Autoscaler
// (kubernetes/autoscaler, cluster-autoscaler) on node groups backed by EC2
// Auto Scaling groups, as a pure decision function: sim/eks hands it a
// Snapshot of the cluster every scan interval and applies the Decision it
// returns (set a group's desired capacity, drain and terminate a node).
//
// Nothing here reads a clock, draws from a global random source or ranges
// over a map to decide. The scheduling view is the caller's: the resources
// (CPU, memory, pod slots) are counted here, and every other scheduler
// filter (node selectors, required node affinity, taints) is answered by the
// Snapshot's FitsGroup and FitsNode callbacks, which sim/eks fills with the
// kube-scheduler plugins of part 1.
//
// docs/semantics/eks-cluster-autoscaler.md lists every flag, its default,
// its source and the test that pins it.
package clusterautoscaler

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Expander names (FAQ "What are Expanders?").
const (
	ExpanderRandom     = "random"
	ExpanderMostPods   = "most-pods"
	ExpanderLeastWaste = "least-waste"
	ExpanderLeastNodes = "least-nodes"
	ExpanderPrice      = "price"
	ExpanderPriority   = "priority"
)

// Expanders lists the expanders fleetsim models, in the FAQ's order.
var Expanders = []string{ExpanderRandom, ExpanderMostPods, ExpanderLeastWaste, ExpanderLeastNodes, ExpanderPrice, ExpanderPriority}

// Defaults of the flags (cluster-autoscaler/FAQ.md, "What are the
// parameters to CA?", at kubernetes/autoscaler 55c37cd5).
const (
	DefaultScanInterval                  = 10 * time.Second
	DefaultExpander                      = ExpanderLeastWaste
	DefaultScaleDownUtilizationThreshold = 0.5
	DefaultScaleDownUnneededTime         = 10 * time.Minute
	DefaultScaleDownDelayAfterAdd        = 10 * time.Minute
	DefaultScaleDownDelayAfterDelete     = 0
	DefaultScaleDownDelayAfterFailure    = 3 * time.Minute
	DefaultMaxNodeProvisionTime          = 15 * time.Minute
	DefaultMaxScaleDownParallelism       = 10
	DefaultMaxDrainParallelism           = 1
	DefaultExpendablePodsPriorityCutoff  = -10
	DefaultInitialNodeGroupBackoff       = 5 * time.Minute
	DefaultMaxNodeGroupBackoff           = 30 * time.Minute
	DefaultMaxPodEvictionTime            = 2 * time.Minute
	DefaultMaxGracefulTermination        = 600 * time.Second
	DefaultBlockingSystemPodTimeout      = time.Hour
)

// Config is the Cluster Autoscaler's command line, every flag fleetsim
// models with its default filled in by Defaults. A run never writes to it.
type Config struct {
	// ScanInterval is --scan-interval: how often the cluster is
	// re-evaluated.
	ScanInterval time.Duration
	// Expanders is --expander: one or more, applied in succession, the
	// remaining ties broken at random.
	Expanders []string
	// Priorities is the priority expander's ConfigMap
	// (cluster-autoscaler-priority-expander): a priority and the node group
	// name patterns it applies to. Required with the priority expander.
	Priorities []PriorityTier
	// MaxNodesTotal is --max-nodes-total; 0 is no limit.
	MaxNodesTotal int
	// BalanceSimilarNodeGroups is --balance-similar-node-groups.
	BalanceSimilarNodeGroups bool
	// ScaleDownDisabled is --scale-down-enabled=false.
	ScaleDownDisabled bool
	// ScaleDownUtilizationThreshold is --scale-down-utilization-threshold:
	// max(cpu, memory) requests over allocatable below which a node may be
	// removed.
	ScaleDownUtilizationThreshold float64
	// ScaleDownUnneededTime is --scale-down-unneeded-time.
	ScaleDownUnneededTime time.Duration
	// ScaleDownDelayAfterAdd, -AfterDelete and -AfterFailure are the
	// --scale-down-delay-after-* flags.
	ScaleDownDelayAfterAdd, ScaleDownDelayAfterDelete, ScaleDownDelayAfterFailure time.Duration
	// MaxNodeProvisionTime is --max-node-provision-time.
	MaxNodeProvisionTime time.Duration
	// MaxScaleDownParallelism is --max-scale-down-parallelism (empty and
	// drained nodes deleted at once); MaxDrainParallelism is
	// --max-drain-parallelism (of which non-empty).
	MaxScaleDownParallelism, MaxDrainParallelism int
	// IgnoreDaemonSetsUtilization is --ignore-daemonsets-utilization.
	IgnoreDaemonSetsUtilization bool
	// SkipNodesWithLocalStorage and SkipNodesWithSystemPods are
	// --skip-nodes-with-local-storage and --skip-nodes-with-system-pods
	// (both true by default): such pods block their node's removal.
	SkipNodesWithLocalStorage, SkipNodesWithSystemPods bool
	// BlockingSystemPodDisruptionTimeout is
	// --blocking-system-pod-distruption-timeout (sic): a kube-system pod
	// without a budget stops blocking its node's removal this long after
	// its creation (choice: measured from the pod's creation).
	BlockingSystemPodDisruptionTimeout time.Duration
	// ExpendablePodsPriorityCutoff is --expendable-pods-priority-cutoff:
	// pods below it neither cause a scale-up nor block a scale-down.
	ExpendablePodsPriorityCutoff int32
	// NewPodScaleUpDelay is --new-pod-scale-up-delay: younger pods wait.
	NewPodScaleUpDelay time.Duration
	// InitialNodeGroupBackoff and MaxNodeGroupBackoff are
	// --initial-node-group-backoff-duration and
	// --max-node-group-backoff-duration: a group whose nodes failed to come
	// up is left out of scale-ups that long, doubling per failure.
	InitialNodeGroupBackoff, MaxNodeGroupBackoff time.Duration
	// MaxPodEvictionTime is --max-pod-eviction-time: a drain whose
	// evictions are still refused after it fails the scale-down.
	MaxPodEvictionTime time.Duration
}

// PriorityTier is one entry of the priority expander's ConfigMap: node
// groups whose name matches one of the patterns (Go regular expressions,
// matched against the whole name as the expander does) get Priority.
type PriorityTier struct {
	Priority int
	Patterns []string
}

// Defaults returns the Cluster Autoscaler's defaults.
func Defaults() Config {
	return Config{
		ScanInterval:                       DefaultScanInterval,
		Expanders:                          []string{DefaultExpander},
		ScaleDownUtilizationThreshold:      DefaultScaleDownUtilizationThreshold,
		ScaleDownUnneededTime:              DefaultScaleDownUnneededTime,
		ScaleDownDelayAfterAdd:             DefaultScaleDownDelayAfterAdd,
		ScaleDownDelayAfterDelete:          DefaultScaleDownDelayAfterDelete,
		ScaleDownDelayAfterFailure:         DefaultScaleDownDelayAfterFailure,
		MaxNodeProvisionTime:               DefaultMaxNodeProvisionTime,
		MaxScaleDownParallelism:            DefaultMaxScaleDownParallelism,
		MaxDrainParallelism:                DefaultMaxDrainParallelism,
		SkipNodesWithLocalStorage:          true,
		SkipNodesWithSystemPods:            true,
		BlockingSystemPodDisruptionTimeout: DefaultBlockingSystemPodTimeout,
		ExpendablePodsPriorityCutoff:       DefaultExpendablePodsPriorityCutoff,
		InitialNodeGroupBackoff:            DefaultInitialNodeGroupBackoff,
		MaxNodeGroupBackoff:                DefaultMaxNodeGroupBackoff,
		MaxPodEvictionTime:                 DefaultMaxPodEvictionTime,
	}
}

// Validate reports what the Cluster Autoscaler would refuse to start with.
func (c *Config) Validate() error {
	var errs []string
	if c.ScanInterval <= 0 {
		errs = append(errs, "scan interval must be positive")
	}
	if len(c.Expanders) == 0 {
		errs = append(errs, "at least one expander")
	}
	for i, e := range c.Expanders {
		if !slices.Contains(Expanders, e) {
			errs = append(errs, fmt.Sprintf("expander %q: want one of %s", e, strings.Join(Expanders, ", ")))
		}
		if slices.Index(c.Expanders, e) != i {
			errs = append(errs, fmt.Sprintf("expander %q given twice (an expander must not appear in the list more than once)", e))
		}
	}
	if slices.Contains(c.Expanders, ExpanderPriority) && len(c.Priorities) == 0 {
		errs = append(errs, "the priority expander needs its priorities (the cluster-autoscaler-priority-expander ConfigMap)")
	}
	for _, t := range c.Priorities {
		for _, p := range t.Patterns {
			if _, err := regexp.Compile(p); err != nil {
				errs = append(errs, fmt.Sprintf("priority %d: pattern %q: %v", t.Priority, p, err))
			}
		}
	}
	if c.ScaleDownUtilizationThreshold < 0 || c.ScaleDownUtilizationThreshold > 1 {
		errs = append(errs, "scale-down utilization threshold must be within 0 and 1")
	}
	if c.MaxScaleDownParallelism < 1 || c.MaxDrainParallelism < 1 {
		errs = append(errs, "scale-down parallelism must be at least 1")
	}
	if len(errs) > 0 {
		return fmt.Errorf("clusterautoscaler: %s", strings.Join(errs, "; "))
	}
	return nil
}
