// Package eks is the EKS world: nodes over capacity's instances, pods and
// their workloads. It is an orchestrator beside sim/ecs (archtest: it may
// import sim/des, sim/schema, the capacity layer and the pure policies, never
// sim/ecs or the wiring).
//
// The node arithmetic (allocatable.go, networkcards.go) is plain functions
// over catalog.InstanceType: how many pods a node accepts (the VPC CNI
// formula, the EKS max-pods calculator with prefix delegation) and what the
// kubelet leaves allocatable after kube-reserved, system-reserved and the
// hard eviction threshold, every number from the EKS AMI's own source
// (awslabs/amazon-eks-ami).
//
// The world (World, a capacity.Orchestrator) runs one cluster:
//
//   - node.go: a node registers Settings.NodeRegistration after its instance
//     comes into service, with the well-known labels, its group's labels and
//     taints and that allocatable; a managed node group's node is drained
//     before termination and on the Spot notice; a lost instance fails its
//     pods.
//   - pod.go: pods from templates, the PrioritySort queue, kube-scheduler's
//     backoff and unschedulable set, binding, VPC CNI addresses, image pulls
//     through capacity's cache, graceful deletion.
//   - deployment.go, job.go, daemonset.go: the controllers, each marked
//     dirty and synced once per instant.
//   - pdb.go: PodDisruptionBudgets, evictions and kubectl-style drains.
//   - preempt.go: DefaultPreemption over placement/kube's Framework.Preempt.
//   - record.go, result.go: events, the series, the summary and the
//     kubectl-shaped state.
//
// docs/semantics/eks.md lists each rule with its source and the test that
// pins it.
package eks
