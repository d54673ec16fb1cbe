package capacity

import "github.com/fleetsim/fleetsim/sim/des"

// InstanceUsage is one EC2 instance's life, for billing.
type InstanceUsage struct {
	ID         string
	Type       string
	Group      int // index into Config.Groups
	AZ         string
	Purchase   PurchaseOption
	Launched   des.Time
	Terminated des.Time  // the run's end when still running then
	End        EndReason // why it ended (EndRunning: it did not)
}

// Usage returns every instance's usage record, instances still running
// ending at end.
func (f *Fleet) Usage(end des.Time) []InstanceUsage {
	out := make([]InstanceUsage, len(f.instances))
	for i := range f.instances {
		in := &f.instances[i]
		out[i] = InstanceUsage{ID: in.ID, Type: in.Type.Name, Group: in.Group, AZ: in.Zone, Purchase: in.Purchase,
			Launched: in.Launched, Terminated: end}
		if in.Lifecycle == Terminated {
			out[i].Terminated, out[i].End = in.Terminated, in.End
		}
	}
	return out
}
