package report

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fleetsim/fleetsim/placement"
	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/sim/ecs"
)

// The section "Why pods (or tasks) went where they did": per explained pod
// or task, a table of the nodes (instances) that passed every filter
// (constraint), best first, the chosen one highlighted, and the rest
// grouped by what rejected them, so that a 5,000-node cycle reads in a
// screen. explain.json holds every node.
const (
	explainTopRows  = 10 // feasible nodes or instances shown per placement
	explainMaxItems = 20 // placements shown; explain.json holds them all
	explainExamples = 3  // names shown per group of rejected nodes
)

// explainView is the section; nil when the run explained nothing.
type explainView struct {
	Title, Lead, More string
	Items             []explainItem
}

// explainItem is one explained pod or task.
type explainItem struct {
	ID, Name, When, Outcome string
	Open                    bool
	Notes                   []string
	Head                    []explainHead
	Rows                    []explainRow
	RowsNote                string
	Rejected                []rejectedGroup
}

type explainHead struct{ Name, Title string }

type explainRow struct {
	Cells  []explainCell
	Chosen bool
}

type explainCell struct{ Text, Title, Class string }

// rejectedGroup is the nodes one filter rejected for one reason.
type rejectedGroup struct {
	By, Reason, Count, Examples string
	n                           int // how many: largest first
}

// explainSection builds the section from res.Explain.
func explainSection(res *sim.Result) *explainView {
	ex := res.Explain
	if ex.Empty() {
		return nil
	}
	loc := res.Config.Start.Location()
	v := &explainView{}
	n := 0
	if len(ex.Pods) > 0 {
		n = len(ex.Pods)
		v.Title = "Why pods went where they did"
		v.Lead = "Each pod chosen to explain, as kube-scheduler saw it in its last scheduling cycle: the nodes that passed every filter plugin, " +
			"ranked by the weighted total of the score plugins (each cell is the plugin's normalised score times its weight; hover for the raw score), " +
			"and the nodes the filters rejected, grouped by the plugin and its reason. explain.json has every node and every plugin's verdict."
		for i := range ex.Pods[:min(n, explainMaxItems)] {
			v.Items = append(v.Items, podItem(&ex.Pods[i], i, loc))
		}
	} else {
		n = len(ex.Tasks)
		v.Title = "Why tasks went where they did"
		v.Lead = "Each task placement chosen to explain, in ECS's order: the instances with the CPU, memory, ports and ENI the task needs " +
			"that satisfy every constraint, ranked by the placement strategies in turn (lower first, then instance ID), and the instances " +
			"rejected, grouped by the resource they lacked or the constraint that said no. explain.json has every instance."
		for i := range ex.Tasks[:min(n, explainMaxItems)] {
			v.Items = append(v.Items, taskItem(&ex.Tasks[i], i, loc))
		}
	}
	if n > explainMaxItems {
		v.More = fmt.Sprintf("The first %d of %s explained placements are shown; explain.json holds all of them.", explainMaxItems, count(n))
	}
	if len(v.Items) > 0 {
		v.Items[0].Open = true
	}
	return v
}

// explainWhen is an explanation's instant in the scenario's time zone.
func explainWhen(rfc3339 string, loc *time.Location) string {
	t, err := time.Parse(time.RFC3339Nano, rfc3339)
	if err != nil {
		return rfc3339
	}
	return t.In(loc).Format("Mon 2 Jan 15:04:05")
}

// podItem lays out one pod's cycle.
func podItem(pe *sim.EKSPodExplanation, i int, loc *time.Location) explainItem {
	c := &pe.Cycle
	it := explainItem{ID: "explain-pod-" + strconv.Itoa(i), Name: pe.Pod, When: pe.Workload + " · " + explainWhen(pe.Time, loc)}
	if pe.Attempt > 1 {
		it.When += fmt.Sprintf(", attempt %d", pe.Attempt)
	}
	it.Outcome = podOutcome(pe)
	if pe.FirstError != "" {
		it.Notes = append(it.Notes, "First attempt: "+pe.FirstError)
	}
	if c.EvaluatedNodes < c.NumNodes && c.Error == "" {
		it.Notes = append(it.Notes, fmt.Sprintf("The search stopped after %s of %s nodes, once %s were feasible (percentageOfNodesToScore); the rest were not scored.",
			count(c.EvaluatedNodes), count(c.NumNodes), count(c.NodesToFind)))
	}
	it.Head = []explainHead{{"Node", ""}, {"Filters", "every filter plugin's verdict: ✓ all passed (or sat the cycle out)"}}
	var plugins []int
	for k, sp := range c.ScorePlugins {
		if !sp.Skipped {
			plugins = append(plugins, k)
			it.Head = append(it.Head, explainHead{fmt.Sprintf("%s ×%d", shortPlugin(sp.Plugin), sp.Weight), sp.Plugin + ": normalised score × weight " + strconv.FormatInt(sp.Weight, 10)})
		}
	}
	it.Head = append(it.Head, explainHead{"Total", "the weighted sum kube-scheduler ranks by"})
	var skipped []string
	for _, sp := range c.ScorePlugins {
		if sp.Skipped {
			skipped = append(skipped, sp.Plugin)
		}
	}
	if len(skipped) > 0 {
		it.Notes = append(it.Notes, "Left out of the score (their PreScore had nothing to weigh for this pod): "+strings.Join(skipped, ", ")+".")
	}
	var scored []int
	for k := range c.Nodes {
		if n := &c.Nodes[k]; n.Feasible && n.Evaluated {
			scored = append(scored, k)
		}
	}
	slices.SortStableFunc(scored, func(a, b int) int { return cmp.Compare(c.Nodes[b].Total, c.Nodes[a].Total) })
	for r, k := range scored {
		n := &c.Nodes[k]
		if r >= explainTopRows && n.Node != c.Chosen {
			continue
		}
		row := explainRow{Chosen: n.Node != "" && n.Node == c.Chosen, Cells: []explainCell{{Text: n.Node}, {Text: "✓", Class: "ok"}}}
		for _, p := range plugins {
			if len(n.Scores) == 0 {
				row.Cells = append(row.Cells, explainCell{Text: "—"})
				continue
			}
			s := n.Scores[p]
			row.Cells = append(row.Cells, explainCell{Text: strconv.FormatInt(s.Weighted, 10), Title: fmt.Sprintf("raw %d, normalised %d, × %d", s.Raw, s.Normalized, s.Weight)})
		}
		total := "—"
		if len(n.Scores) > 0 {
			total = strconv.FormatInt(n.Total, 10)
		}
		row.Cells = append(row.Cells, explainCell{Text: total, Class: "total"})
		it.Rows = append(it.Rows, row)
	}
	it.RowsNote = rowsNote(len(it.Rows), len(scored), "feasible node", "by total")
	if len(scored) == 1 {
		it.RowsNote = "One node passed every filter: kube-scheduler binds the pod there without scoring."
	}
	it.Rejected = rejectedNodes(c)
	return it
}

// shortPlugin drops NodeResources from a plugin's name for a column
// header: NodeResourcesFit reads Fit, NodeResourcesBalancedAllocation
// BalancedAllocation. The header's title has the full name.
func shortPlugin(name string) string {
	if s, ok := strings.CutPrefix(name, "NodeResources"); ok {
		return s
	}
	return name
}

// podOutcome says where the pod went, or why not.
func podOutcome(pe *sim.EKSPodExplanation) string {
	c := &pe.Cycle
	if c.Chosen == "" {
		return "not scheduled: " + c.Error
	}
	s := fmt.Sprintf("bound to %s; %s of %s nodes feasible", c.Chosen, count(c.FeasibleNodes), count(c.NumNodes))
	if len(c.Best) > 1 {
		s += fmt.Sprintf(", %d tied for the best total (kube-scheduler draws one)", len(c.Best))
	}
	return s
}

// rowsNote says what the table shows of the feasible ones.
func rowsNote(shown, feasible int, what, by string) string {
	switch {
	case feasible == 0:
		return ""
	case shown < feasible:
		return fmt.Sprintf("The best %d of %s %ss %s, the chosen one highlighted (shown even when not among them).", explainTopRows, count(feasible), what, by)
	}
	return fmt.Sprintf("Every %s, %s, the chosen one highlighted.", what, by)
}

// rejectedNodes groups the nodes the filters rejected by the plugin that
// said no first and its reasons, largest group first.
func rejectedNodes(c *sim.KubeExplanation) []rejectedGroup {
	type key struct{ by, reason string }
	groups := map[key][]string{}
	var keys []key
	for k := range c.Nodes {
		n := &c.Nodes[k]
		if n.Feasible {
			continue
		}
		kk := key{by: n.RejectedBy}
		for _, f := range n.Filters {
			if f.Plugin == n.RejectedBy {
				kk.reason = strings.Join(f.Reasons, "; ")
			}
		}
		if _, ok := groups[kk]; !ok {
			keys = append(keys, kk)
		}
		groups[kk] = append(groups[kk], n.Node)
	}
	var out []rejectedGroup
	for _, kk := range keys {
		out = append(out, group(kk.by, kk.reason, groups[kk]))
	}
	return largestFirst(out)
}

func group(by, reason string, names []string) rejectedGroup {
	ex := strings.Join(names[:min(len(names), explainExamples)], ", ")
	if len(names) > explainExamples {
		ex += fmt.Sprintf(" and %s more", count(len(names)-explainExamples))
	}
	return rejectedGroup{By: by, Reason: reason, Count: count(len(names)), Examples: ex, n: len(names)}
}

// largestFirst puts the largest groups first, keeping first-seen order
// (node or instance order) among equals.
func largestFirst(out []rejectedGroup) []rejectedGroup {
	slices.SortStableFunc(out, func(a, b rejectedGroup) int { return cmp.Compare(b.n, a.n) })
	return out
}

// taskItem lays out one task placement.
func taskItem(te *ecs.TaskExplanation, i int, loc *time.Location) explainItem {
	pl := &te.Placement
	name := te.Group
	if te.Task != "" {
		name += " task " + te.Task
	}
	it := explainItem{ID: "explain-task-" + strconv.Itoa(i), Name: name, When: explainWhen(te.Time, loc) + " on " + te.CapacityProvider}
	it.Outcome = pl.Summary()
	it.Notes = append(it.Notes, taskNeeds(pl))
	it.Head = []explainHead{{"Instance", ""}, {"CPU left", "CPU units left before the task"}, {"MiB left", "memory left before the task"},
		{"Constraints", "every placement constraint's verdict"}}
	keyed := 0
	for _, st := range pl.Strategies {
		if st == "random" {
			break
		}
		keyed++
		it.Head = append(it.Head, explainHead{st, strategyTitle(st)})
	}
	it.Head = append(it.Head, explainHead{"Rank", "the chain's order: each strategy's key in turn, lower first, then instance ID"})
	var feasible []int
	for k := range pl.Instances {
		if pl.Instances[k].Feasible {
			feasible = append(feasible, k)
		}
	}
	slices.SortStableFunc(feasible, func(a, b int) int { return cmp.Compare(pl.Instances[a].Rank, pl.Instances[b].Rank) })
	for r, k := range feasible {
		iv := &pl.Instances[k]
		if r >= explainTopRows && iv.Instance != pl.Chosen {
			continue
		}
		it.Rows = append(it.Rows, instanceRow(iv, pl.Chosen, keyed))
	}
	it.RowsNote = rowsNote(len(it.Rows), len(feasible), "feasible instance", "by rank")
	if len(pl.Best) > 1 {
		it.RowsNote += fmt.Sprintf(" The random strategy drew the chosen one among the %d tied first.", len(pl.Best))
	}
	it.Rejected = rejectedInstances(pl)
	return it
}

func instanceRow(iv *placement.InstanceVerdict, chosen string, keyed int) explainRow {
	row := explainRow{Chosen: iv.Instance == chosen, Cells: []explainCell{{Text: iv.Instance},
		{Text: count(int(iv.CPUUnits))}, {Text: count(int(iv.MemoryMiB))}, {Text: "✓", Class: "ok"}}}
	if len(iv.Constraints) == 0 {
		row.Cells[3] = explainCell{Text: "none", Class: "muted"}
	}
	for _, k := range iv.Keys[:min(keyed, len(iv.Keys))] {
		row.Cells = append(row.Cells, strategyCell(k))
	}
	row.Cells = append(row.Cells, explainCell{Text: strconv.Itoa(iv.Rank)})
	return row
}

// strategyCell words one strategy key: binpack's resource left after the
// task, spread's count of the group's tasks with the instance's value.
func strategyCell(k placement.StrategyKey) explainCell {
	switch {
	case strings.HasPrefix(k.Strategy, "binpack(memory"):
		return explainCell{Text: count(int(k.Key)) + " MiB after"}
	case strings.HasPrefix(k.Strategy, "binpack("):
		return explainCell{Text: count(int(k.Key)) + " CPU units after"}
	case strings.HasPrefix(k.Strategy, "spread(attribute:"):
		v := k.Value
		if v == "" {
			v = "(absent)"
		}
		return explainCell{Text: fmt.Sprintf("%s · %s", v, tasks(k.Key)), Title: fmt.Sprintf("%d of the group's tasks run where this attribute is %s", k.Key, v)}
	}
	return explainCell{Text: tasks(k.Key), Title: "the group's tasks on this instance"}
}

func tasks(n int64) string {
	if n == 1 {
		return "1 task"
	}
	return count(int(n)) + " tasks"
}

func strategyTitle(st string) string {
	if strings.HasPrefix(st, "binpack") {
		return "what the instance would have left after the task: least first"
	}
	return "the group's tasks counted with the instance's value: fewest first"
}

// taskNeeds says what the task reserves.
func taskNeeds(pl *placement.TaskExplanation) string {
	n := pl.Needs
	s := fmt.Sprintf("The task needs %s CPU units and %s MiB", count(int(n.CPUUnits)), count(int(n.MemoryMiB)))
	if len(n.HostPorts) > 0 {
		s += fmt.Sprintf(", host ports %v", n.HostPorts)
	}
	if n.ENI {
		s += ", an ENI"
	}
	if n.GPUs > 0 {
		s += fmt.Sprintf(", %d GPUs", n.GPUs)
	}
	if len(pl.Constraints) > 0 {
		s += "; constraints: " + strings.Join(pl.Constraints, ", ")
	}
	return s + "."
}

// rejectedInstances groups the instances that could not take the task by
// the first check each failed.
func rejectedInstances(pl *placement.TaskExplanation) []rejectedGroup {
	groups := map[string][]string{}
	reason := map[string]string{}
	var keys []string
	for k := range pl.Instances {
		iv := &pl.Instances[k]
		if iv.Feasible {
			continue
		}
		if _, ok := groups[iv.RejectedBy]; !ok {
			keys = append(keys, iv.RejectedBy)
			reason[iv.RejectedBy] = rejectedWhy(iv)
		}
		groups[iv.RejectedBy] = append(groups[iv.RejectedBy], iv.Instance)
	}
	var out []rejectedGroup
	for _, by := range keys {
		out = append(out, group(by, reason[by], groups[by]))
	}
	return largestFirst(out)
}

// rejectedWhy words what the group's first instance lacked and which
// constraints it failed besides the first check.
func rejectedWhy(iv *placement.InstanceVerdict) string {
	var parts []string
	if iv.Lacks != "" {
		parts = append(parts, "e.g. "+iv.Lacks)
	}
	var also []string
	for _, c := range iv.Constraints {
		if !c.Satisfied && c.Constraint != iv.RejectedBy {
			also = append(also, c.Constraint)
		}
	}
	if len(also) > 0 {
		parts = append(parts, "also fails "+strings.Join(also, ", "))
	}
	return strings.Join(parts, "; ")
}

// explainTemplate is the section; report.html.tmpl calls it.
const explainTemplate = `{{define "explain"}}{{with .}}<section id="explain">
<style>
details.explain { border: 1px solid var(--line); border-radius: 8px; padding: 6px 12px; margin: 10px 0; }
details.explain > summary { padding: 4px 0; color: var(--ink); }
details.explain > summary strong { color: var(--accent); }
table.explain th, table.explain td { padding: 5px 7px; }
table.explain th { font-size: 12px; }
table.explain td.total { font-weight: 650; }
table.explain tr.chosen td { background: #e3eff8; font-weight: 600; }
table.explain tr.chosen td:first-child { border-left: 4px solid var(--accent); }
table.explain td.muted { color: var(--muted); }
table.rejected { width: auto; min-width: 70%; }
table.rejected td.text { max-width: 520px; }
</style>
<h2>{{.Title}}</h2>
<p class="note">{{.Lead}}</p>
{{range .Items}}<details class="explain" id="{{.ID}}"{{if .Open}} open{{end}}><summary><strong>{{.Name}}</strong> · {{.When}} · {{.Outcome}}</summary>
{{range .Notes}}<p class="note">{{.}}</p>
{{end}}{{if .Rows}}<div class="scroll"><table class="explain"><thead><tr>{{range .Head}}<th{{if .Title}} title="{{.Title}}"{{end}}>{{.Name}}</th>{{end}}</tr></thead><tbody>
{{range .Rows}}<tr{{if .Chosen}} class="chosen"{{end}}>{{range .Cells}}<td{{with .Class}} class="{{.}}"{{end}}{{with .Title}} title="{{.}}"{{end}}>{{.Text}}</td>{{end}}</tr>
{{end}}</tbody></table></div>
<p class="note">{{.RowsNote}}</p>
{{end}}{{if .Rejected}}<table class="rejected"><thead><tr><th>Rejected by</th><th class="text">Reason</th><th>Count</th><th class="text">For example</th></tr></thead><tbody>
{{range .Rejected}}<tr><td>{{.By}}</td><td class="text">{{.Reason}}</td><td>{{.Count}}</td><td class="text">{{.Examples}}</td></tr>
{{end}}</tbody></table>
{{end}}</details>
{{end}}{{with .More}}<p class="note">{{.}}</p>
{{end}}</section>
{{end}}{{end}}`
