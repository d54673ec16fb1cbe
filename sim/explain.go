package sim

import (
	"github.com/fleetsim/fleetsim/placement/kube"
	"github.com/fleetsim/fleetsim/sim/ecs"
	"github.com/fleetsim/fleetsim/sim/eks"
)

// Explanations are the placements a run explained (explain.json): for an
// EKS run the chosen pods' scheduling cycles, node by node and plugin by
// plugin; for an ECS run the chosen services' task placements, instance by
// instance, constraint by constraint and strategy by strategy.
type Explanations struct {
	Pods  []EKSPodExplanation   `json:"pods,omitempty"`
	Tasks []ecs.TaskExplanation `json:"tasks,omitempty"`
}

// Empty reports whether nothing was explained: no selector, or none chose
// a pod or task.
func (e *Explanations) Empty() bool { return e == nil || len(e.Pods) == 0 && len(e.Tasks) == 0 }

// EKSPodExplanation, KubeExplanation and KubeNodeExplanation are the EKS
// world's and kube-scheduler's explanation records, named here so that
// what reads a Result needs no import of either.
type (
	EKSPodExplanation   = eks.PodExplanation
	KubeExplanation     = kube.Explanation
	KubeNodeExplanation = kube.NodeExplanation
)
