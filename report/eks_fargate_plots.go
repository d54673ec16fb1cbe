package report

import (
	"fmt"
	"slices"
	"time"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/sim/eks"
)

// eksFargateHourly is each Fargate profile's bill by hour of the run (in
// the profiles' order): each pod's billed seconds (the one-minute minimum
// included) from the start of its image pull, spread over the hours they
// fall in at the pod's per-second rate; the hours sum to eks.fargate.usd.
func eksFargateHourly(res *sim.Result, n int) [][]float64 {
	ec := res.Config.EKS
	if ec == nil || len(ec.FargateProfiles) == 0 || res.EKS == nil || len(res.EKS.Fargate) == 0 || n == 0 {
		return nil
	}
	p := PricesFor(res.Config)
	idx := map[string]int{}
	out := make([][]float64, len(ec.FargateProfiles))
	for i, fp := range ec.FargateProfiles {
		idx[fp.Name] = i
		out[i] = make([]float64, n)
	}
	for _, u := range res.EKS.Fargate {
		rate := p.FargateUSD(int64(u.CPU), int64(u.MemoryMiB), false) // one second
		from := u.Start.Duration()
		to := from + time.Duration(BilledSeconds(u.Start, u.Stop, p.FargateMinimum))*time.Second
		for h := int(from / time.Hour); h < n && time.Duration(h)*time.Hour < to; h++ {
			lo, hi := max(from, time.Duration(h)*time.Hour), min(to, time.Duration(h+1)*time.Hour)
			if h == n-1 {
				hi = to // the last hour takes what runs past the end (a minimum)
			}
			out[idx[u.Profile]][h] += rate * (hi - lo).Seconds()
		}
	}
	return out
}

// eksFargateBands adds the Fargate profiles' bands to the cost-rate figure
// (eksCostRateFigure), above the control plane, and says so in its title.
func eksFargateBands(res *sim.Result, f *Figure, ss []series, x []float64, n int, band func(func(int) float64) []float64) []series {
	hourly := eksFargateHourly(res, n)
	if hourly == nil {
		return ss
	}
	for i, fp := range res.Config.EKS.FargateProfiles {
		ss = append(ss, series{label: "Fargate " + fp.Name, x: x, y: band(func(h int) float64 { return hourly[i][h] }),
			color: colour(len(ss) + 3), fill: true, stacked: true})
	}
	f.Title = "Cost rate by node group and Fargate profile"
	f.Caption = "Each hour's bill divided by the hour's length, stacked by node group and Fargate profile over the EKS control plane's flat rate; the top edge is the cluster's rate."
	return ss
}

// eksFargateFigure is the pods on Fargate by profile (timeseries.csv's
// fargate.NAME.pods): each is a Fargate node of its own.
func eksFargateFigure(res *sim.Result) (*Figure, error) {
	ec := res.Config.EKS
	if ec == nil || len(ec.FargateProfiles) == 0 {
		return nil, nil
	}
	x := xs(res, res.Series.Times)
	f := newFigure(res, "eks-fargate", "Pods on Fargate", "pods",
		"Pods on a Fargate node of their own, by Fargate profile (each pod is billed for its Fargate size while it holds one); stacked.")
	var ss []series
	for i, fp := range ec.FargateProfiles {
		y := column(res, eks.FargateColumn(fp.Name, "pods"))
		if y == nil {
			return nil, fmt.Errorf("report: no series %s", eks.FargateColumn(fp.Name, "pods"))
		}
		ss = append(ss, series{label: fp.Name, x: x, y: y, color: colour(i), fill: true, stacked: true})
	}
	return f, f.addSeries(ss...)
}

// dropFargateOnlyNodes leaves the Nodes figure out of a cluster with no
// node group (every pod on Fargate): it would be a flat zero, and the
// Fargate nodes are on "Pods on Fargate".
func dropFargateOnlyNodes(res *sim.Result, figs []*Figure) []*Figure {
	ec := res.Config.EKS
	if ec == nil || len(ec.FargateProfiles) == 0 || len(ec.NodeGroups) > 0 {
		return figs
	}
	return slices.DeleteFunc(figs, func(f *Figure) bool { return f.ID == "eks-nodes" })
}
