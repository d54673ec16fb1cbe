package placement

import (
	"fmt"
	"strings"
)

// Reason is why an instance cannot take a task; Fits (0) means it can. A
// "no" is an outcome to count, not an error.
type Reason uint8

// The reasons in the order they are checked: resources first, then
// constraints (AWS task-placement-strategies.html: "Identify the container
// instances that satisfy the CPU, GPU, memory, and port requirements", then
// "that satisfy the task placement constraints").
const (
	Fits Reason = iota
	ReasonCPU
	ReasonMemory
	ReasonPorts
	ReasonENI
	ReasonGPU
	ReasonMemberOf
	ReasonDistinctInstance
	NumReasons
)

// String gives the ECS wording of the reason, as in a service event
// "... was unable to place a task ...".
func (r Reason) String() string {
	switch r {
	case Fits:
		return "fits"
	case ReasonCPU:
		return "RESOURCE:CPU"
	case ReasonMemory:
		return "RESOURCE:MEMORY"
	case ReasonPorts:
		return "RESOURCE:PORTS"
	case ReasonENI:
		return "RESOURCE:ENI"
	case ReasonGPU:
		return "RESOURCE:GPU"
	case ReasonMemberOf:
		return "MemberOf placement constraint unsatisfied"
	case ReasonDistinctInstance:
		return "DistinctInstance placement constraint unsatisfied"
	}
	return fmt.Sprintf("Reason(%d)", uint8(r))
}

// Decision is the outcome of one Place. Chosen is NoHandle when no instance
// fits; then Rejected counts the active instances by the first reason each
// failed, and Considered is how many active instances there were. Both are
// zero when an instance was chosen (they cost a full scan).
type Decision struct {
	Chosen     Handle
	Rejected   [NumReasons]int32
	Considered int32
}

// Summary describes a failed placement in a stable order (reason order, not
// map order); for a success it returns "placed".
func (d Decision) Summary() string {
	if d.Chosen != NoHandle {
		return "placed"
	}
	if d.Considered == 0 {
		return "unable to place a task: no container instances were found in the cluster"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "unable to place a task because no container instance met all of its requirements (%d considered:", d.Considered)
	sep := " "
	for r := ReasonCPU; r < NumReasons; r++ {
		if n := d.Rejected[r]; n > 0 {
			fmt.Fprintf(&b, "%s%s %d", sep, r, n)
			sep = ", "
		}
	}
	b.WriteString(")")
	return b.String()
}
