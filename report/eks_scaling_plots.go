package report

import (
	"slices"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/sim/eks"
)

// eksNodesByGroupFigure stacks the nodes of each node group (a Karpenter
// NodePool's included: its nodes are a group of kind karpenter) by
// capacity type, On-Demand solid and Spot dashed, from timeseries.csv's
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
	for g, ng := range ec.NodeGroups {
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
			s := series{label: ng.Name + " " + ct.label, x: x, y: band, color: colour(g), fill: true, stacked: true}
			if ct.measure == "spot" {
				s.dashes = dashed
			}
			ss = append(ss, s)
		}
	}
	if len(ss) == 0 {
		return nil, nil
	}
	f := newFigure(res, "eks-nodes-by-group", "Nodes by node group and capacity type", "nodes",
		"Each node group's (or Karpenter NodePool's) nodes by capacity type, stacked: On-Demand solid, Spot dashed; the top edge is every Ready node (launching ones are on the Nodes figure).")
	slices.Reverse(ss) // tallest first, so that each band shows
	err := f.addSeries(ss...)
	headroom(f.plot)
	return f, err
}
