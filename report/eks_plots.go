package report

import (
	"fmt"

	"github.com/fleetsim/fleetsim/sim"
)

// eksFigures are an EKS run's figures: the cost rate, the nodes, the pods,
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
	if err := add(costRateFigure(res, cost)); err != nil {
		return nil, err
	}
	if err := add(eksNodesFigure(res)); err != nil {
		return nil, err
	}
	if err := add(eksPodsFigure(res)); err != nil {
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
	return f, f.addSeries(series{label: "launching", x: x, y: total, color: colour(1), fill: true, stacked: true},
		series{label: "Ready", x: x, y: ready, color: colour(0), fill: true, stacked: true})
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
