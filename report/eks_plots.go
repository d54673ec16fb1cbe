package report

import (
	"fmt"
	"image/color"
	"slices"
	"time"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/sim/des"
)

// eksFigures are an EKS run's figures: the cost rate by node group and the
// control plane, the nodes, the pods,
// and for each Deployment its pods against desired and, with load, the
// requests per second and the pods' utilisation.
func eksFigures(res *sim.Result, cost *Cost) ([]*Figure, error) {
	var figs []*Figure
	add := func(f *Figure, err error) error {
		if f != nil && err == nil && f.lines > 0 {
			figs = append(figs, f)
		}
		return err
	}
	if err := add(eksCostRateFigure(res, cost)); err != nil {
		return nil, err
	}
	if err := add(eksNodesFigure(res)); err != nil {
		return nil, err
	}
	// A cluster with Fargate only has no EC2 node to draw (eks_fargate_plots.go).
	figs = dropFargateOnlyNodes(res, figs)
	if err := add(eksNodesByGroupFigure(res)); err != nil { // eks_scaling_plots.go
		return nil, err
	}
	if err := add(eksPodsFigure(res)); err != nil {
		return nil, err
	}
	if err := add(eksFargateFigure(res)); err != nil { // eks_fargate_plots.go
		return nil, err
	}
	for i, d := range res.Config.EKS.Deployments {
		if err := add(eksDeploymentFigure(res, i, d.Name)); err != nil {
			return nil, err
		}
		if d.Load == nil {
			continue
		}
		if err := add(eksLoadFigure(res, i, d.Name)); err != nil {
			return nil, err
		}
	}
	return figs, nil
}

func eksNodesFigure(res *sim.Result) (*Figure, error) {
	ready, launching := column(res, sim.EKSNodesReady), column(res, sim.EKSNodesLaunching)
	if ready == nil || launching == nil {
		return nil, nil
	}
	x := xs(res, res.Series.Times)
	total := make([]float64, len(ready))
	for i := range total {
		total[i] = ready[i] + launching[i]
	}
	f := newFigure(res, "eks-nodes", "Nodes", "nodes",
		"Nodes Ready in the cluster, and instances launched whose node has not registered yet (launching), stacked.")
	err := f.addSeries(series{label: "launching", x: x, y: total, color: colour(1), fill: true, stacked: true},
		series{label: "Ready", x: x, y: ready, color: colour(0), fill: true, stacked: true})
	headroom(f.plot)
	return f, err
}

func eksPodsFigure(res *sim.Result) (*Figure, error) {
	running, pending, unsched := column(res, sim.EKSPodsRunning), column(res, sim.EKSPodsPending), column(res, sim.EKSPodsUnscheduled)
	if running == nil || pending == nil || unsched == nil {
		return nil, nil
	}
	x := xs(res, res.Series.Times)
	f := newFigure(res, "eks-pods", "Pods", "pods",
		"Pods Running and Ready; Pending ones (not yet Running: pulling, starting or unscheduled); and of those, the ones no node is bound to (unschedulable).")
	return f, f.addSeries(series{label: "running", x: x, y: running, color: colour(0)},
		series{label: "pending", x: x, y: pending, color: colour(1)},
		series{label: "unscheduled", x: x, y: unsched, color: colour(5), dashes: dashed})
}

func eksDeploymentFigure(res *sim.Result, i int, name string) (*Figure, error) {
	desired := column(res, sim.EKSDeploymentColumn(name, "desired"))
	avail := column(res, sim.EKSDeploymentColumn(name, "available"))
	pods := column(res, sim.EKSDeploymentColumn(name, "pods"))
	if desired == nil || avail == nil || pods == nil {
		return nil, nil
	}
	x := xs(res, res.Series.Times)
	f := newFigure(res, fmt.Sprintf("eks-deployment-%d", i+1), "Deployment "+name, "pods",
		"The Deployment's replicas (desired), its pods not terminating, and those available (Ready for minReadySeconds).")
	return f, f.addSeries(series{label: "desired", x: x, y: desired, color: colour(7), dashes: dashed},
		series{label: "pods", x: x, y: pods, color: colour(1)},
		series{label: "available", x: x, y: avail, color: colour(0)})
}

func eksLoadFigure(res *sim.Result, i int, name string) (*Figure, error) {
	load := column(res, sim.EKSDeploymentColumn(name, "load_rps"))
	dropped := column(res, sim.EKSDeploymentColumn(name, "dropped_rps"))
	if load == nil || dropped == nil {
		return nil, nil
	}
	x := xs(res, res.Series.Times)
	f := newFigure(res, fmt.Sprintf("eks-load-%d", i+1), "Deployment "+name+": load", "requests/s",
		"Requests per second offered to the Deployment's Ready pods, and what they could not serve at their CPU request (dropped).")
	return f, f.addSeries(series{label: "offered", x: x, y: load, color: colour(0)},
		series{label: "dropped", x: x, y: dropped, color: colour(5)})
}

// eksCostRateFigure stacks each hour's spend rate ($/hour) by node group,
// with the control plane's flat rate at the bottom: the top of the stack
// is the cluster's rate. The node groups' hours are cost.json's hourly
// bill, whose columns are the node groups' Auto Scaling groups.
func eksCostRateFigure(res *sim.Result, cost *Cost) (*Figure, error) {
	h := cost.Hourly
	n := len(h.USD)
	if n == 0 || res.Config.EKS == nil {
		return nil, nil
	}
	f := newFigure(res, "cost-rate", "Cost rate by node group", "USD per hour",
		"Each hour's bill divided by the hour's length, stacked by node group over the EKS control plane's flat rate; the top edge is the cluster's rate.")
	label := map[string]string{}
	for _, ng := range res.Config.EKS.NodeGroups {
		label[res.Config.Groups[ng.Group].Name+" (no capacity provider)"] = ng.Name
	}
	times := make([]des.Time, n+1)
	for i := range n {
		times[i] = des.Time(time.Duration(i) * time.Hour)
	}
	times[n] = res.End
	x := xs(res, times)
	stack := make([]float64, n+1)
	band := func(usd func(i int) float64) []float64 {
		y := make([]float64, n+1)
		for i := range n {
			hours := min(res.End.Duration()-time.Duration(i)*time.Hour, time.Hour).Hours()
			stack[i] += usd(i) / hours
			y[i] = stack[i]
		}
		y[n] = y[n-1]
		return y
	}
	cp := res.Config.EKS.ControlPlaneUSDPerHour
	ss := []series{{label: "EKS control plane", x: x, y: band(func(i int) float64 {
		return cp * min(res.End.Duration()-time.Duration(i)*time.Hour, time.Hour).Hours()
	}), color: controlPlaneGrey, fill: true, stacked: true}}
	for p, name := range h.Providers {
		if l, ok := label[name]; ok {
			name = l
		}
		ss = append(ss, series{label: name, x: x, y: band(func(i int) float64 { return float64(h.USD[i][p]) }),
			color: colour(p), fill: true, stacked: true})
	}
	// The Fargate profiles' bands (eks_fargate_plots.go).
	ss = eksFargateBands(res, f, ss, x, n, band)
	slices.Reverse(ss) // tallest first, so that each band shows
	err := f.addSeries(ss...)
	headroom(f.plot)
	return f, err
}

// controlPlaneGrey is the control plane's band: not a node group's colour.
var controlPlaneGrey = color.RGBA{0xA0, 0xA0, 0xA0, 0xFF}
