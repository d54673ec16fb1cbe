// Package eks is the EKS world: nodes over capacity's instances, pods and
// their workloads. It is an orchestrator beside sim/ecs (archtest: it may
// import sim/des, sim/schema, the capacity layer and the pure policies, never
// sim/ecs or the wiring).
//
// Part 1 holds the node arithmetic the world will build on, as plain
// functions over catalog.InstanceType: how many pods a node accepts (the VPC
// CNI formula, the EKS max-pods calculator with prefix delegation) and what
// the kubelet leaves allocatable after kube-reserved, system-reserved and the
// hard eviction threshold. Every number comes from the EKS AMI's own source
// (awslabs/amazon-eks-ami), cited where it is used; docs/semantics/eks.md
// lists each rule with the test that pins it.
package eks
