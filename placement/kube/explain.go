package kube

import (
	"errors"
	"math/rand/v2"
	"slices"
)

// Explanation is one pod's scheduling cycle laid out node by node, what
// kube-scheduler-simulator shows: each filter's verdict on each node, each
// score plugin's raw and normalised score with its weight, the weighted
// totals and the node chosen. It is plain data for explain.json and the
// report.
type Explanation struct {
	Pod string `json:"pod"` // namespace/name
	// NumNodes is the cluster's size; NodesToFind how many feasible nodes the
	// search looked for (NumFeasibleNodesToFind); EvaluatedNodes and
	// FeasibleNodes are Result's.
	NumNodes       int `json:"num_nodes"`
	NodesToFind    int `json:"nodes_to_find"`
	EvaluatedNodes int `json:"evaluated_nodes"`
	FeasibleNodes  int `json:"feasible_nodes"`
	// PreFilters are the PreFilter verdicts: Success, Skip (the plugin's
	// Filter sits the cycle out) or a rejection of the pod on every node.
	PreFilters []Verdict `json:"prefilters"`
	// ScorePlugins lists the score plugins with their weights, and whether
	// their PreScore skipped them; empty when fewer than two nodes were
	// feasible (kube-scheduler does not score then).
	ScorePlugins []ScorePluginInfo `json:"score_plugins,omitempty"`
	// Nodes are every node of the cluster, in the scheduler's order.
	Nodes []NodeExplanation `json:"nodes"`
	// Best are the scored nodes with the highest total (more than one: a tie,
	// broken by the random stream); Chosen is the node chosen, "" for none.
	Best   []string `json:"best,omitempty"`
	Chosen string   `json:"chosen,omitempty"`
	// Error is the FitError (or ErrNoNodesAvailable) message when no node
	// was chosen, as the pod's PodScheduled condition would say it.
	Error string `json:"error,omitempty"`
}

// Verdict is one plugin's answer: Code is Success, Skip, Unschedulable or
// UnschedulableAndUnresolvable, with kube-scheduler's reasons for a "no".
type Verdict struct {
	Plugin  string   `json:"plugin"`
	Code    string   `json:"code"`
	Reasons []string `json:"reasons,omitempty"`
}

// ScorePluginInfo is a score plugin of the profile and its weight.
type ScorePluginInfo struct {
	Plugin  string `json:"plugin"`
	Weight  int64  `json:"weight"`
	Skipped bool   `json:"skipped,omitempty"`
}

// NodeExplanation is one node's part in the cycle.
type NodeExplanation struct {
	Node string `json:"node"`
	// Evaluated says the search looked at the node: it stops once enough
	// nodes are feasible, and with spec.nodeName looks at that node alone.
	// Filters holds every filter's verdict all the same, evaluated or not,
	// in profile order (Skip for a filter its PreFilter left out);
	// RejectedBy names the first that said no, the one whose reasons
	// kube-scheduler counts.
	Evaluated  bool      `json:"evaluated"`
	Filters    []Verdict `json:"filters"`
	Feasible   bool      `json:"feasible"`
	RejectedBy string    `json:"rejected_by,omitempty"`
	// Scores and Total are set for the nodes scored: the feasible nodes the
	// search found, when there were two or more.
	Scores []NodeScore `json:"scores,omitempty"`
	Total  int64       `json:"total,omitempty"`
}

// NodeScore is one score plugin's score of a node: Raw from Score,
// Normalized after NormalizeScore (the same without one), Weighted =
// Normalized x Weight, the node's share of the total.
type NodeScore struct {
	Plugin     string `json:"plugin"`
	Raw        int64  `json:"raw"`
	Normalized int64  `json:"normalized"`
	Weight     int64  `json:"weight"`
	Weighted   int64  `json:"weighted"`
}

// Explain is Schedule, explained: it makes the same decision with the same
// changes to the Framework (the round-robin start) and the same draws from
// r, so explaining a pod does not change the run, and returns the
// Explanation beside the Result and error Schedule would give. It costs
// every filter on every node and the score plugins run once more, node by
// node: use it for the pods to explain.
func (f *Framework) Explain(p *PodInfo, r *rand.Rand) (Result, Explanation, error) {
	start := f.next
	res, err := f.Schedule(p, r)
	all := f.c.Nodes()
	ex := Explanation{Pod: p.key, NumNodes: len(all), EvaluatedNodes: res.EvaluatedNodes, FeasibleNodes: res.FeasibleNodes}
	if err != nil {
		ex.Error = err.Error()
	}
	if len(all) == 0 {
		return res, ex, err
	}
	pre := f.explainPreFilters(p, &ex)
	nodes, _, _ := f.preFilter(p, all)
	ex.NodesToFind = int(NumFeasibleNodesToFind(f.pct, int32(len(nodes))))
	if len(f.scores) == 0 {
		ex.NodesToFind = 1
	}
	evaluated := map[NodeID]bool{}
	var feasible []*NodeInfo
	var fe *FitError
	if !errors.As(err, &fe) || fe.PreFilter == noReason {
		for i := range res.EvaluatedNodes {
			n := nodes[(start+i)%len(nodes)]
			evaluated[n.id] = true
			if f.runFilters(p, n).IsSuccess() {
				feasible = append(feasible, n)
			}
		}
	}
	index := map[NodeID]int{}
	for _, n := range all {
		index[n.id] = len(ex.Nodes)
		ex.Nodes = append(ex.Nodes, f.explainNode(p, n, pre, evaluated[n.id]))
	}
	if res.Node != NoNode {
		ex.Chosen = f.c.nodes[res.Node].name
	}
	if len(feasible) < 2 {
		if len(feasible) == 1 {
			ex.Best = []string{feasible[0].name}
		}
		return res, ex, err
	}
	totals := f.explainScores(p, feasible, &ex, index)
	hi := slices.Max(totals)
	for i, n := range feasible {
		if totals[i] == hi {
			ex.Best = append(ex.Best, n.name)
		}
	}
	return res, ex, err
}

// explainPreFilters records each filter's PreFilter verdict and returns
// them by filter.
func (f *Framework) explainPreFilters(p *PodInfo, ex *Explanation) []Status {
	pre := make([]Status, len(f.filters))
	for i, fe := range f.filters {
		if fe.pre != nil {
			pre[i] = fe.pre.PreFilter(f.c, p)
		}
		ex.PreFilters = append(ex.PreFilters, verdictOf(fe.Name(), pre[i]))
	}
	return pre
}

// explainNode runs every filter on n, after the PreFilters' verdicts pre.
func (f *Framework) explainNode(p *PodInfo, n *NodeInfo, pre []Status, evaluated bool) NodeExplanation {
	ne := NodeExplanation{Node: n.name, Evaluated: evaluated, Feasible: true}
	for i, fe := range f.filters {
		st := pre[i]
		if st.IsSuccess() {
			st = fe.Filter(p, n)
		}
		ne.Filters = append(ne.Filters, verdictOf(fe.Name(), st))
		if !st.IsSuccess() && !st.IsSkip() && ne.Feasible {
			ne.Feasible, ne.RejectedBy = false, fe.Name()
		}
	}
	return ne
}

// explainScores runs the score plugins node by node over the feasible
// nodes, fills in their scores and returns their totals.
func (f *Framework) explainScores(p *PodInfo, feasible []*NodeInfo, ex *Explanation, index map[NodeID]int) []int64 {
	totals := make([]int64, len(feasible))
	raw := make([]int64, len(feasible))
	norm := make([]int64, len(feasible))
	for _, se := range f.scores {
		info := ScorePluginInfo{Plugin: se.Name(), Weight: se.weight}
		clear(raw)
		clear(norm)
		if se.pre != nil && se.pre.PreScore(f.c, p, feasible).IsSkip() {
			info.Skipped = true
		} else {
			for i, n := range feasible {
				raw[i] = se.Score(p, n)
			}
			copy(norm, raw)
			if se.norm != nil {
				se.norm.NormalizeScore(p, feasible, norm)
			}
		}
		ex.ScorePlugins = append(ex.ScorePlugins, info)
		for i, n := range feasible {
			ne := &ex.Nodes[index[n.id]]
			w := norm[i] * se.weight
			ne.Scores = append(ne.Scores, NodeScore{Plugin: info.Plugin, Raw: raw[i], Normalized: norm[i], Weight: se.weight, Weighted: w})
			ne.Total += w
			totals[i] += w
		}
	}
	return totals
}

func verdictOf(plugin string, st Status) Verdict {
	v := Verdict{Plugin: plugin, Code: st.Code.String()}
	for _, r := range st.Reasons.Reasons() {
		v.Reasons = append(v.Reasons, r.String())
	}
	return v
}
