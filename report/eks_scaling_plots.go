package report

import (
	"slices"
	"strings"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/sim/eks"
)

// eksNodesByGroupFigure stacks the nodes of each node group (a Karpenter
// NodePool's included: its nodes are a group of kind karpenter) by
// capacity type, each band a colour of its own, from timeseries.csv's
// nodegroup.NAME.on_demand and .spot columns. Drawn only when an
// autoscaler changes the groups (Cluster Autoscaler or Karpenter), so a
// run with fixed node groups keeps the figures it had.
func eksNodesByGroupFigure(res *sim.Result) (*Figure, error) {
	ec := res.Config.EKS
	if ec == nil || (ec.ClusterAutoscaler == nil && len(ec.NodePools) == 0) {
		return nil, nil
	}
	x := xs(res, res.Series.Times)
	var ss []series
	var stack []float64
	for _, ng := range ec.NodeGroups {
		for _, ct := range []struct{ measure, label string }{{"on_demand", "On-Demand"}, {"spot", "Spot"}} {
			y := column(res, eks.NodeGroupColumn(ng.Name, ct.measure))
			if y == nil || slices.Max(append([]float64{0}, y...)) == 0 {
				continue
			}
			if stack == nil {
				stack = make([]float64, len(y))
			}
			band := make([]float64, len(y))
			for i := range y {
				stack[i] += y[i]
				band[i] = stack[i]
			}
			ss = append(ss, series{label: bandLabel(ng.Name, ct.label), x: x, y: band, color: colour(len(ss)), fill: true, stacked: true})
		}
	}
	if len(ss) == 0 {
		return nil, nil
	}
	f := newFigure(res, "eks-nodes-by-group", "Nodes by node group and capacity type", "nodes",
		"Each node group's (or Karpenter NodePool's) Ready nodes by capacity type, stacked, one colour per group and capacity type; the top edge is every Ready node (launching ones are on the Nodes figure).")
	slices.Reverse(ss) // tallest first, so that each band shows
	err := f.addSeries(ss...)
	headroom(f.plot)
	return f, err
}

// bandLabel names a group's band of one capacity type: "web-spot: Spot",
// or the group's name alone when it already says the capacity type (a
// NodePool named "spot" or "on-demand").
func bandLabel(group, capacityType string) string {
	norm := func(s string) string { return strings.ToLower(strings.ReplaceAll(s, "-", "")) }
	if norm(group) == norm(capacityType) {
		return group
	}
	return group + ": " + capacityType
}
