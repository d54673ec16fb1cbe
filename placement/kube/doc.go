// Package kube is kube-scheduler's default profile as small pure plugins: the
// Filter and Score plugins EKS pods are placed with, over plain-value views of
// nodes and pods, with kube-scheduler's reasons, weights, normalisations and
// node sampling. It imports nothing of the project; sim/eks adapts its nodes
// and pods to the views (Node, Pod) and keeps a Cluster in step with them.
//
// Source: kubernetes v1.37.2 (k8s.io/kubernetes@v1.37.2 with its staging
// modules k8s.io/kube-scheduler, k8s.io/component-helpers and k8s.io/api at
// v0.37.2), read, not copied: pkg/scheduler/schedule_one.go,
// pkg/scheduler/framework/plugins/*, pkg/scheduler/apis/config/v1 (defaults)
// and pkg/scheduler/backend/cache/node_tree.go. Each plugin's doc comment names
// its file and gives its formula; docs/semantics/eks.md lists every rule with
// the test that pins it.
//
// # Shape
//
//   - Cluster is the scheduler's snapshot: nodes (AddNode, RemoveNode,
//     SetUnschedulable, SetTaints) and the pods bound to them (Bind, Unbind). It
//     keeps per-node and per-topology-domain aggregates (requested resources,
//     used host ports, counts of pods matching each label selector in use,
//     pods carrying each inter-pod affinity term) so that no plugin walks pods
//     while it filters or scores a node.
//   - PodInfo is a Pod compiled against one Cluster (NewPodInfo): effective
//     requests, interned labels and selectors. Build it once per pod.
//   - FilterPlugin and ScorePlugin are the two plugin interfaces; PreFilter,
//     PreScore and NormalizeScore are optional extensions found by type
//     assertion, as in kube-scheduler. A "no" is a Status with a Code and a
//     ReasonSet (codes, formatted only by FitError), never an error.
//   - Framework runs a Profile for one pod: PreFilter, Filter over the nodes in
//     kube-scheduler's order from a round-robin start until enough feasible
//     nodes are found (NumFeasibleNodesToFind), PreScore, Score,
//     NormalizeScore, weights, and the choice among the best (reservoir
//     sampling with the caller's *rand.Rand). It does not bind: the caller
//     calls Cluster.Bind with the chosen node, as kube-scheduler's assume.
//     Explain makes the same decision and lays it out node by node
//     (Explanation: every filter's verdict, every score, the totals).
//   - Speed: the filters are tried as cheap tests first and the default
//     profile is scored in one pass over the feasible nodes (defaultscores.go),
//     both reading what they need of each node from a packed array by NodeID
//     (nodeHot, hot.go) and the resource scores from a memo by request shape
//     that a node's Bind and Unbind clear; the plugins' Filter and Score
//     methods stay the reference, and tests hold the fast paths to them node
//     by node (and a digest to every decision of a seeded run).
//
// Per-cycle plugin state lives in typed fields of the plugin value (kube's
// CycleState under string keys is not copied), so a Profile's plugins belong
// to one Framework and are not safe for concurrent use.
//
// # Not modelled (yet)
//
//   - Volume plugins (VolumeRestrictions, NodeVolumeLimits, VolumeBinding,
//     VolumeZone), DRA, extended/scalar resources, pod-level resources,
//     in-place resize, scheduling gates, extenders. Preemption is in
//     preemption.go (DefaultPreemption's PostFilter; the EKS world runs it).
//   - matchFields (metadata.name) in node affinity, namespaceSelector in pod
//     affinity terms, matchLabelKeys in spread constraints, toleration
//     operators Lt/Gt (alpha, off by default in v1.37).
//   - The InterPodAffinityHostnameFastPath (alpha, off): the plugin follows
//     the default path, which gives the same answers.
package kube
