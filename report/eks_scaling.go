package report

import (
	"strings"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/sim/des"
	"github.com/fleetsim/fleetsim/sim/eks"
)

// Controllers of ScalingAction.
const (
	ControllerHPA       = "HorizontalPodAutoscaler"
	ControllerCA        = "Cluster Autoscaler"
	ControllerKarpenter = "Karpenter"
)

// ScalingAction is one decision of an EKS autoscaler, as events.csv tells
// it: an HPA's recommendation or rescale, a Cluster Autoscaler scale-up or
// scale-down, a Karpenter launch or disruption.
type ScalingAction struct {
	At         des.Time
	Controller string // ControllerHPA, ControllerCA or ControllerKarpenter
	Action     string // the event type: "SuccessfulRescale", "ClusterAutoscalerScaleUp", ...
	Subject    string // the HPA, node group, node or NodePool
	Group      string // its Deployment ("deployment:web") or node group
	Change     string // the event's status: "replicas 6", "2->5", "spot"
	Reason     string // the event's reason, whole
	// Category is the reason without its numbers, for counting: the HPA's
	// metric or rescale reason, the expander, "empty" or "pods movable to
	// other nodes", Karpenter's disruption reason or why it launched.
	Category string
}

// scalingEvents are the event types ScalingActivity reads, in the order the
// page lists them, with their controller.
var scalingEvents = []struct{ typ, controller string }{
	{eks.EventHPARecommendation, ControllerHPA},
	{eks.EventHPARescale, ControllerHPA},
	{eks.EventHPAFailed, ControllerHPA},
	{eks.EventCAScaleUp, ControllerCA},
	{eks.EventCAScaleDown, ControllerCA},
	{eks.EventCAScaleUpTimedOut, ControllerCA},
	{eks.EventCAScaleDownFailed, ControllerCA},
	{eks.EventKarpenterLaunch, ControllerKarpenter},
	{eks.EventKarpenterReplace, ControllerKarpenter},
	{eks.EventKarpenterDisrupt, ControllerKarpenter},
	{eks.EventKarpenterUnschedulable, ControllerKarpenter},
}

func scalingController(typ string) (string, int) {
	for k, s := range scalingEvents {
		if s.typ == typ {
			return s.controller, k
		}
	}
	return "", -1
}

// ScalingActivity reads the autoscalers' decisions from an EKS run's event
// log, in time order; nil for an ECS run or one without autoscalers.
func ScalingActivity(res *sim.Result) []ScalingAction {
	if res.EKS == nil || res.Config.EKS == nil {
		return nil
	}
	var out []ScalingAction
	for i := range res.Events {
		e := &res.Events[i]
		c, k := scalingController(e.Type)
		if k < 0 {
			continue
		}
		out = append(out, ScalingAction{At: e.At, Controller: c, Action: e.Type, Subject: e.Subject, Group: e.Group,
			Change: e.Status, Reason: e.Reason, Category: scalingCategory(e.Type, e.Reason)})
	}
	return out
}

// scalingCategory is the part of a reason that names why, not how much.
func scalingCategory(typ, reason string) string {
	switch typ {
	case eks.EventHPARescale: // "New size: 6; reason: cpu resource utilization (percentage of request) above target"
		if _, r, ok := strings.Cut(reason, "reason: "); ok {
			return r
		}
	case eks.EventCAScaleDown: // "utilization 0.250 < 0.5 for 10m0s; empty"
		if k := strings.LastIndex(reason, "; "); k >= 0 {
			return reason[k+2:]
		}
	case eks.EventCAScaleUpTimedOut:
		return "not registered within max-node-provision-time"
	case eks.EventHPAFailed:
		return reason
	case eks.EventKarpenterUnschedulable: // "12 pods: no NodePool's requirements, ... take them"
		if _, r, ok := strings.Cut(reason, ": "); ok {
			return r
		}
	}
	if c, _, ok := strings.Cut(reason, ":"); ok { // "expander least-waste: ...", "Empty: ...", "provisioning: ..."
		return c
	}
	return reason
}

// ScalingCount is how many of an action one reason accounts for.
type ScalingCount struct {
	Controller, Action, Category string
	N                            int
}

// ScalingCounts counts the actions by controller, action and category: the
// actions in scalingEvents' order, the categories most first (ties by name).
func ScalingCounts(acts []ScalingAction) []ScalingCount {
	by := make([]map[string]int, len(scalingEvents))
	for _, a := range acts {
		_, k := scalingController(a.Action)
		if by[k] == nil {
			by[k] = map[string]int{}
		}
		by[k][a.Category]++
	}
	var out []ScalingCount
	for k, m := range by {
		for _, c := range byCount(m) {
			out = append(out, ScalingCount{scalingEvents[k].controller, scalingEvents[k].typ, c, m[c]})
		}
	}
	return out
}

// scalingFirstRows is how many rows of each action the page lists.
const scalingFirstRows = 10

type eksScalingView struct {
	Counts []eksScalingCountRow
	Tables []eksScalingTable
}

type eksScalingCountRow struct{ Controller, Action, Category, N string }

type eksScalingTable struct {
	Controller, Action string
	Rows               []eksScalingRow
	More               string // "and 31 more in events.csv", or ""
}

type eksScalingRow struct{ At, Subject, Group, Change, Reason string }

// eksScaling is the page's scaling activity; nil when no autoscaler acted,
// so a run without one shows nothing more.
func eksScaling(res *sim.Result) *eksScalingView {
	acts := ScalingActivity(res)
	if len(acts) == 0 {
		return nil
	}
	v := &eksScalingView{}
	for _, c := range ScalingCounts(acts) {
		v.Counts = append(v.Counts, eksScalingCountRow{c.Controller, c.Action, c.Category, count(c.N)})
	}
	tables := make([]*eksScalingTable, len(scalingEvents))
	n := make([]int, len(scalingEvents))
	for _, a := range acts {
		_, k := scalingController(a.Action)
		if tables[k] == nil {
			tables[k] = &eksScalingTable{Controller: a.Controller, Action: a.Action}
		}
		if n[k]++; n[k] <= scalingFirstRows {
			of := a.Group
			if of == a.Subject { // a scale-up's node group is both
				of = "–"
			}
			tables[k].Rows = append(tables[k].Rows, eksScalingRow{clock(res, a.At), a.Subject, of, a.Change, a.Reason})
		}
	}
	for k, t := range tables {
		if t == nil {
			continue
		}
		if n[k] > scalingFirstRows {
			t.More = "and " + count(n[k]-scalingFirstRows) + " more in events.csv"
		}
		v.Tables = append(v.Tables, *t)
	}
	return v
}

// eksScalingTemplate is the scaling-activity section (eksTemplate's
// "eks-node-groups" calls it); it writes nothing when no autoscaler acted.
const eksScalingTemplate = `{{define "eks-scaling"}}{{with .Scaling}}<section id="scaling">
<h2>Scaling activity</h2>
<div class="scroll"><table>
<thead><tr><th class="text">controller</th><th class="text">action</th><th class="text">reason</th><th>count</th></tr></thead>
<tbody>
{{range .Counts}}<tr><td class="text">{{.Controller}}</td><td class="text">{{.Action}}</td><td class="text">{{.Category}}</td><td>{{.N}}</td></tr>
{{end}}</tbody></table></div>
<p class="note">From events.csv: each decision of the HorizontalPodAutoscalers (a new recommendation, a rescale of the Deployment), the Cluster Autoscaler (a node group's target raised, a node removed, a scale-up given up, a removal refused) and Karpenter (a NodeClaim launched, a node disrupted), counted by its reason without the numbers.</p>
{{range .Tables}}<h3>{{.Controller}}: {{.Action}}</h3>
<div class="scroll"><table class="wide">
<thead><tr><th>time</th><th class="text">subject</th><th class="text">of</th><th class="text">change</th><th class="text">reason</th></tr></thead>
<tbody>
{{range .Rows}}<tr><td>{{.At}}</td><td class="text">{{.Subject}}</td><td class="text">{{.Group}}</td><td class="text">{{.Change}}</td><td class="text">{{.Reason}}</td></tr>
{{end}}</tbody></table></div>
{{with .More}}<p class="note">The first 10 rows; {{.}}.</p>
{{end}}{{end}}</section>
{{end}}{{end}}`

// nodePoolOf is the name of the Karpenter NodePool whose node group is ng,
// or "".
func nodePoolOf(ec *eks.Config, ng int) string {
	for i := range ec.NodePools {
		if ec.NodePools[i].NodeGroup == ng {
			return ec.NodePools[i].Pool.Name
		}
	}
	return ""
}
