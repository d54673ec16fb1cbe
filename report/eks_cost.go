package report

import (
	"bufio"
	"cmp"
	"slices"
	"time"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/sim/capacity"
	"github.com/fleetsim/fleetsim/sim/ecs"
)

// EKSCost is the EKS part of an EKS run's cost.json: the nodes' EC2 bill by
// node group and capacity type, and the control plane.
//
// Nodes are EC2 instances billed as ComputeCost bills them (per second, a
// 60-second minimum, Spot at the fixed discount, a Spot instance EC2
// interrupts in its first hour free). The control plane is billed per
// cluster-hour at Config.ControlPlaneUSDPerHour (AWS, Amazon EKS pricing:
// $0.10 per cluster-hour in standard support, $0.60 in extended support),
// for the whole simulated duration, prorated by the second.
type EKSCost struct {
	ControlPlaneUSDPerHour float64         `json:"control_plane_usd_per_hour"`
	ControlPlaneUSD        USD             `json:"control_plane_usd"`
	NodesUSD               USD             `json:"nodes_usd"`
	TotalUSD               USD             `json:"total_usd"`
	PerDayUSD              USD             `json:"per_day_usd"`
	ByNodeGroup            []NodeGroupCost `json:"by_node_group"`
	// Fargate is the pods on Fargate, by Fargate profile (eks_fargate.go);
	// in TotalUSD. Absent without Fargate pods.
	Fargate *EKSFargateCost `json:"fargate,omitempty"`
}

// NodeGroupCost is one node group's nodes of one capacity type.
type NodeGroupCost struct {
	NodeGroup       string `json:"node_group"`
	CapacityType    string `json:"capacity_type"` // ON_DEMAND or SPOT, as EKS labels them
	Nodes           int    `json:"nodes"`         // instances launched
	InstanceSeconds int64  `json:"billed_instance_seconds"`
	USD             USD    `json:"usd"`
	// NodePool is the Karpenter NodePool whose nodes the group holds; ""
	// for a managed or self-managed node group (eks_scaling.go).
	NodePool string `json:"node_pool,omitempty"`
}

// eksCostFile is cost.json for an EKS run: ComputeCost's breakdown with the
// totals raised by the control plane, and the EKS breakdown.
type eksCostFile struct {
	*Cost
	TotalUSD  USD      `json:"total_usd"`
	PerDayUSD USD      `json:"per_day_usd"`
	EKS       *EKSCost `json:"eks"`
}

// ComputeEKSCost prices an EKS run's nodes by node group and its control
// plane; nil for an ECS run.
func ComputeEKSCost(res *sim.Result, p Prices) (*EKSCost, error) {
	if res.EKS == nil || res.Config.EKS == nil {
		return nil, nil
	}
	ec := res.Config.EKS
	type key struct {
		group int
		spot  bool
	}
	lines := map[key]*NodeGroupCost{}
	for i := range res.Instances {
		u := &res.Instances[i].InstanceUsage
		ng := -1
		if u.Group < len(res.EKS.NodeGroupOf) {
			ng = res.EKS.NodeGroupOf[u.Group]
		}
		if ng < 0 {
			continue
		}
		k := key{ng, u.Purchase == capacity.Spot}
		line := lines[k]
		if line == nil {
			ct := "ON_DEMAND"
			if k.spot {
				ct = "SPOT"
			}
			line = &NodeGroupCost{NodeGroup: ec.NodeGroups[ng].Name, CapacityType: ct, NodePool: nodePoolOf(ec, ng)}
			lines[k] = line
		}
		line.Nodes++
		if FreeSpotInterruption(*u) {
			continue
		}
		secs := BilledSeconds(u.Launched, u.Terminated, time.Minute)
		line.InstanceSeconds += secs
		if u.Purchase == capacity.Spot && p.varyingSpot() {
			usd, err := p.SpotUSD(u.Type, u.AZ, u.Launched, secs)
			if err != nil {
				return nil, err
			}
			line.USD += USD(usd)
			continue
		}
		rate, err := p.InstanceUSDPerHour(u.Type, u.Purchase)
		if err != nil {
			return nil, err
		}
		line.USD += USD(float64(secs) / 3600 * rate)
	}
	out := &EKSCost{ControlPlaneUSDPerHour: ec.ControlPlaneUSDPerHour, ByNodeGroup: []NodeGroupCost{}}
	keys := make([]key, 0, len(lines))
	for k := range lines {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b key) int {
		if c := cmp.Compare(a.group, b.group); c != 0 {
			return c
		}
		return cmp.Compare(boolInt(a.spot), boolInt(b.spot))
	})
	for _, k := range keys {
		out.ByNodeGroup = append(out.ByNodeGroup, *lines[k])
		out.NodesUSD += lines[k].USD
	}
	seconds := res.End.Duration().Seconds()
	out.ControlPlaneUSD = USD(seconds / 3600 * ec.ControlPlaneUSDPerHour)
	out.TotalUSD = out.NodesUSD + out.ControlPlaneUSD
	if out.Fargate = ComputeEKSFargateCost(res.EKS.Fargate, p); out.Fargate != nil { // eks_fargate.go
		out.TotalUSD += out.Fargate.USD
	}
	if seconds > 0 {
		out.PerDayUSD = USD(float64(out.TotalUSD) * 86400 / seconds)
	}
	return out, nil
}

// costFile is what cost.json holds: ComputeCost's Cost, or for an EKS run
// the same with the control plane and the node groups.
func costFile(res *sim.Result, c *Cost) (any, error) {
	ek, err := ComputeEKSCost(res, PricesFor(res.Config))
	if err != nil || ek == nil {
		return c, err
	}
	total := c.TotalUSD + ek.ControlPlaneUSD
	if ek.Fargate != nil {
		total += ek.Fargate.USD
	}
	perDay := total
	if s := res.End.Duration().Seconds(); s > 0 {
		perDay = USD(float64(total) * 86400 / s)
	}
	return eksCostFile{Cost: c, TotalUSD: total, PerDayUSD: perDay, EKS: ek}, nil
}

// writeState writes state.json: ECS's describe calls, or for an EKS run
// the nodes and pods as `kubectl get -o json` prints them. An ECS run's
// container instances and tasks are described one at a time as they are
// written (ecs.StateSource.Each), the bytes writeJSONStream writes for
// res.State.Describe().
func writeState(w *bufio.Writer, res *sim.Result) error {
	if res.EKS != nil {
		return writeJSONStream(w, res.EKS.State)
	}
	instances, tasks := res.State.Each()
	return writeJSONStreamWith(w, res.State.Header(), map[string]elements{
		"ContainerInstances": func(yield func(any) error) error {
			return instances(func(c *ecs.ContainerInstanceState) error { return yield(*c) })
		},
		"Tasks": func(yield func(any) error) error {
			return tasks(func(t *ecs.TaskDescription) error { return yield(*t) })
		},
	})
}

// writeCost writes cost.json (costFile).
func writeCost(w *bufio.Writer, res *sim.Result, c *Cost) error {
	v, err := costFile(res, c)
	if err != nil {
		return err
	}
	return writeJSON(w, v)
}
