package kube

import (
	"errors"
	"math/bits"
	"slices"
	"strconv"
	"strings"
)

// Code is a plugin's verdict (kube-scheduler framework/interface.go). A
// Filter returns Success, Unschedulable (another cycle, or preemption, may
// help) or UnschedulableAndUnresolvable (nothing on this node will); a
// PreFilter or PreScore may also return Skip, which leaves the plugin out of
// this pod's cycle.
type Code uint8

// The codes the default profile uses.
const (
	Success Code = iota
	Unschedulable
	UnschedulableAndUnresolvable
	Skip
)

// String gives kube-scheduler's name of the code.
func (c Code) String() string {
	switch c {
	case Success:
		return "Success"
	case Unschedulable:
		return "Unschedulable"
	case UnschedulableAndUnresolvable:
		return "UnschedulableAndUnresolvable"
	case Skip:
		return "Skip"
	}
	return "Code(" + strconv.Itoa(int(c)) + ")"
}

// Reason is why a node cannot take a pod, as a code; String gives
// kube-scheduler's wording (v1.37.2), which FitError counts.
type Reason uint8

// The reasons of the default profile's filters, each with the plugin and the
// constant it comes from.
const (
	noReason                    Reason = iota
	ReasonNodeName                     // nodename ErrReason
	ReasonNodeNameNotConsidered        // NodeName's PreFilterResult: the nodes it left out
	ReasonNodeUnschedulable            // nodeunschedulable ErrReasonUnschedulable
	ReasonUntoleratedTaint             // tainttoleration Filter
	ReasonNodeAffinity                 // nodeaffinity ErrReasonPod
	ReasonNodePorts                    // nodeports ErrReason
	ReasonTooManyPods                  // noderesources fitsRequest
	ReasonInsufficientCPU              // noderesources fitsRequest
	ReasonInsufficientMemory           // noderesources fitsRequest
	ReasonInsufficientEphemeral        // noderesources fitsRequest
	ReasonSpreadMissingLabel           // podtopologyspread ErrReasonNodeLabelNotMatch
	ReasonSpreadConstraints            // podtopologyspread ErrReasonConstraintsNotMatch
	ReasonPodAffinity                  // interpodaffinity ErrReasonAffinityRulesNotMatch
	ReasonPodAntiAffinity              // interpodaffinity ErrReasonAntiAffinityRulesNotMatch
	ReasonExistingAntiAffinity         // interpodaffinity ErrReasonExistingAntiAffinityRulesNotMatch
	NumReasons
)

// String gives kube-scheduler's wording of the reason.
func (r Reason) String() string {
	switch r {
	case ReasonNodeName:
		return "node(s) didn't match the requested node name"
	case ReasonNodeNameNotConsidered:
		return "node(s) didn't satisfy plugin(s) [NodeName]"
	case ReasonNodeUnschedulable:
		return "node(s) were unschedulable"
	case ReasonUntoleratedTaint:
		return "node(s) had untolerated taint(s)"
	case ReasonNodeAffinity:
		return "node(s) didn't match Pod's node affinity/selector"
	case ReasonNodePorts:
		return "node(s) didn't have free ports for the requested pod ports"
	case ReasonTooManyPods:
		return "Too many pods"
	case ReasonInsufficientCPU:
		return "Insufficient cpu"
	case ReasonInsufficientMemory:
		return "Insufficient memory"
	case ReasonInsufficientEphemeral:
		return "Insufficient ephemeral-storage"
	case ReasonSpreadMissingLabel:
		return "node(s) didn't match pod topology spread constraints (missing required label)"
	case ReasonSpreadConstraints:
		return "node(s) didn't match pod topology spread constraints"
	case ReasonPodAffinity:
		return "node(s) didn't match pod affinity rules"
	case ReasonPodAntiAffinity:
		return "node(s) didn't match pod anti-affinity rules"
	case ReasonExistingAntiAffinity:
		return "node(s) didn't satisfy existing pods anti-affinity rules"
	}
	return "Reason(" + strconv.Itoa(int(r)) + ")"
}

// ReasonSet is a set of reasons: NodeResourcesFit can give several at once
// ("Insufficient cpu" and "Insufficient memory"), and kube-scheduler counts
// each.
type ReasonSet uint32

// Has reports whether r is in the set.
func (s ReasonSet) Has(r Reason) bool { return s&(1<<r) != 0 }

// Reasons lists the set in reason order.
func (s ReasonSet) Reasons() []Reason {
	var out []Reason
	for s != 0 {
		r := Reason(bits.TrailingZeros32(uint32(s)))
		out = append(out, r)
		s &^= 1 << r
	}
	return out
}

// Status is a plugin's verdict and, for a "no", its reasons. The zero Status
// is Success.
type Status struct {
	Code    Code
	Reasons ReasonSet
}

// IsSuccess reports whether the status lets the pod through.
func (s Status) IsSuccess() bool { return s.Code == Success }

// IsSkip reports whether a PreFilter or PreScore left its plugin out.
func (s Status) IsSkip() bool { return s.Code == Skip }

func unschedulable(r Reason) Status { return Status{Unschedulable, 1 << r} }
func unresolvable(r Reason) Status  { return Status{UnschedulableAndUnresolvable, 1 << r} }

// ErrNoNodesAvailable is Schedule's error on an empty cluster
// (schedule_one.go ErrNoNodesAvailable).
var ErrNoNodesAvailable = errors.New("no nodes available to schedule pods")

// FitError is Schedule's error when no node passes the filters: how many
// nodes there were and, for each reason, on how many nodes a filter gave it.
// Reasons are counted as codes and formatted only by Error.
type FitError struct {
	Pod         string // namespace/name
	NumAllNodes int
	Counts      [NumReasons]int32
	// PreFilter is set when a PreFilter rejected the pod outright; then no
	// node was filtered and Counts is zero.
	PreFilter Reason
}

// Histogram lists "N reason" for every reason given, sorted as strings, as
// kube-scheduler's FitError.Error sorts them (so "10 ..." sorts before
// "2 ...": the order is the strings', not the counts').
func (e *FitError) Histogram() []string {
	var out []string
	for r := noReason + 1; r < NumReasons; r++ {
		if n := e.Counts[r]; n > 0 {
			out = append(out, strconv.Itoa(int(n))+" "+r.String())
		}
	}
	slices.Sort(out)
	return out
}

// Error formats the message kube-scheduler puts on the pod's PodScheduled
// condition and FailedScheduling event (framework/types.go FitError.Error):
// "0/N nodes are available: 3 Insufficient cpu, 2 node(s) had untolerated
// taint(s)." Without preemption there is no PostFilter message to append.
func (e *FitError) Error() string {
	var b strings.Builder
	b.WriteString("0/")
	b.WriteString(strconv.Itoa(e.NumAllNodes))
	b.WriteString(" nodes are available:")
	if e.PreFilter != noReason {
		b.WriteString(" ")
		b.WriteString(e.PreFilter.String())
		b.WriteString(".")
		return b.String()
	}
	if h := e.Histogram(); len(h) > 0 {
		b.WriteString(" ")
		b.WriteString(strings.Join(h, ", "))
		b.WriteString(".")
	}
	return b.String()
}
