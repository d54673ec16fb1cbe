package clusterautoscaler

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fleetsim/fleetsim/sim/des"
)

// never is a time long before any run: no scale-up, deletion or failure yet.
const never = des.Time(-1 << 62)

// Autoscaler is one Cluster Autoscaler's state between scans: the nodes
// found unneeded and since when, the scale-ups still waiting for their
// nodes, the groups backed off, and the times the scale-down delays count
// from. It is single-use.
type Autoscaler struct {
	cfg      *Config
	rnd      *rand.Rand
	prio     []tier
	unneeded map[int32]des.Time
	requests []request
	backoffs []backoff

	lastScaleUp, lastDelete, lastFailure des.Time
}

type tier struct {
	priority int
	res      []*regexp.Regexp
}

// request is a scale-up waiting for its nodes to register
// (clusterstate's ScaleUpRequest): given up at deadline.
type request struct {
	active   bool
	deadline des.Time
}

// backoff is a node group left out of scale-ups until until; failures
// count the consecutive failed scale-ups that doubled it.
type backoff struct {
	until    des.Time
	duration time.Duration
}

// New makes the autoscaler for cfg (validated) over groups node groups,
// drawing the expanders' random choices from rnd.
func New(cfg *Config, groups int, rnd *rand.Rand) (*Autoscaler, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	a := &Autoscaler{cfg: cfg, rnd: rnd, unneeded: map[int32]des.Time{},
		requests: make([]request, groups), backoffs: make([]backoff, groups),
		lastScaleUp: never, lastDelete: never, lastFailure: never}
	for _, t := range cfg.Priorities {
		ct := tier{priority: t.Priority}
		for _, p := range t.Patterns {
			ct.res = append(ct.res, regexp.MustCompile("^(?:"+p+")$")) // Validate compiled it
		}
		a.prio = append(a.prio, ct)
	}
	return a, nil
}

// Decision is what one scan asks for.
type Decision struct {
	// GiveUps are groups whose scale-up did not register in
	// MaxNodeProvisionTime: their target falls back to the registered
	// nodes and the group is backed off.
	GiveUps []GiveUp
	// ScaleUps are new targets for node groups.
	ScaleUps []ScaleUp
	// Removals are nodes to drain and delete, decrementing their group.
	Removals []Removal
	// Unhelped counts the pending pods no node group could take.
	Unhelped int
}

// GiveUp is a scale-up given up (max-node-provision-time).
type GiveUp struct {
	Group, From, To int
	Backoff         time.Duration
}

// ScaleUp is one node group's new target.
type ScaleUp struct {
	Group, From, To int
	// Pods is how many pending pods the chosen option would schedule.
	Pods     int
	Expander string
	Reason   string
}

// Removal is one node to remove.
type Removal struct {
	Node        int32
	Group       int
	Empty       bool
	Utilization float64
	Reason      string
}

// Option is one node group's expansion option: NodeCount new nodes
// scheduling Pods (indexes into Snapshot.Pending).
type Option struct {
	Group     int
	NodeCount int
	Pods      []int
}

// ScaleDownFailed records a failed node deletion (a drain that ran out of
// MaxPodEvictionTime): scale-down waits ScaleDownDelayAfterFailure.
func (a *Autoscaler) ScaleDownFailed(now des.Time) { a.lastFailure = now }

// Unneeded returns since when node id has been unneeded, if it is.
func (a *Autoscaler) Unneeded(id int32) (des.Time, bool) {
	t, ok := a.unneeded[id]
	return t, ok
}

// Scan is one iteration of the Cluster Autoscaler's loop (RunOnce): the
// scale-ups that did not come up are given up, then pending pods that no
// existing or upcoming node can take cause a scale-up; in an iteration
// without a scale-up, unneeded nodes are found and, out of the scale-down
// delays, removed.
func (a *Autoscaler) Scan(s *Snapshot) Decision {
	var d Decision
	groups := slices.Clone(s.Groups)
	a.provisioning(s.Now, groups, &d)
	if a.scaleUp(s, groups, &d) {
		return d
	}
	if !a.cfg.ScaleDownDisabled {
		a.scaleDown(s, groups, &d)
	}
	return d
}

// provisioning clears the scale-ups whose nodes all registered and gives up
// those past MaxNodeProvisionTime: the target falls to the registered
// nodes (fixNodeGroupSize) and the group backs off, initially
// InitialNodeGroupBackoff, doubled per consecutive failure up to
// MaxNodeGroupBackoff.
func (a *Autoscaler) provisioning(now des.Time, groups []Group, d *Decision) {
	for g := range groups {
		r, gr := &a.requests[g], &groups[g]
		if !r.active {
			continue
		}
		if gr.Registered >= gr.Target {
			r.active = false
			continue
		}
		if now < r.deadline {
			continue
		}
		r.active = false
		b := &a.backoffs[g]
		switch {
		case b.duration == 0 || now >= b.until+des.At(a.cfg.MaxNodeGroupBackoff):
			b.duration = a.cfg.InitialNodeGroupBackoff
		default:
			b.duration = min(2*b.duration, a.cfg.MaxNodeGroupBackoff)
		}
		b.until = now + des.At(b.duration)
		d.GiveUps = append(d.GiveUps, GiveUp{Group: g, From: gr.Target, To: gr.Registered, Backoff: b.duration})
		gr.Target = gr.Registered
	}
}

// free is a node's free resources in the simulation.
func free(n *Node) Resources {
	f := n.Allocatable
	for i := range n.Pods {
		f = f.sub(n.Pods[i].Requests)
	}
	return f
}

// scaleUp runs the scale-up part; it reports whether it scaled up.
func (a *Autoscaler) scaleUp(s *Snapshot, groups []Group, d *Decision) bool {
	cut := s.Now - des.At(a.cfg.NewPodScaleUpDelay)
	var pending []int
	for p := range s.Pending {
		pp := &s.Pending[p]
		if pp.Priority < a.cfg.ExpendablePodsPriorityCutoff || a.cfg.NewPodScaleUpDelay > 0 && pp.Created > cut {
			continue
		}
		pending = append(pending, p)
	}
	if len(pending) == 0 {
		return false
	}
	// Pods an existing node (filterOutSchedulable) or an upcoming one can
	// take need no new node.
	frees := make([]Resources, len(s.Nodes))
	var most Resources // an upper bound of any node's free resources, for a pod no node can take
	for n := range s.Nodes {
		frees[n] = free(&s.Nodes[n])
		if !s.Nodes[n].Deleting {
			most = Resources{max(most.MilliCPU, frees[n].MilliCPU), max(most.MemoryBytes, frees[n].MemoryBytes), max(most.Pods, frees[n].Pods)}
		}
	}
	var upcoming []struct {
		g    int
		free Resources
	}
	for g := range groups {
		for range groups[g].Target - groups[g].Registered {
			upcoming = append(upcoming, struct {
				g    int
				free Resources
			}{g, groups[g].Template})
		}
	}
	var rest []int
pods:
	for _, p := range pending {
		req := s.Pending[p].Requests
		for n := range s.Nodes {
			if !most.fits(req) {
				break
			}
			if !s.Nodes[n].Deleting && frees[n].fits(req) && s.FitsNode(-1, p, n) {
				frees[n] = frees[n].sub(req)
				continue pods
			}
		}
		for u := range upcoming {
			if upcoming[u].free.fits(req) && s.FitsGroup(p, upcoming[u].g) {
				upcoming[u].free = upcoming[u].free.sub(req)
				continue pods
			}
		}
		rest = append(rest, p)
	}
	if len(rest) == 0 {
		return false
	}
	total := len(upcoming)
	for n := range s.Nodes {
		if !s.Nodes[n].Deleting {
			total++
		}
	}
	var opts []Option
	for g := range groups {
		gr := &groups[g]
		limit := gr.Max - gr.Target
		if a.cfg.MaxNodesTotal > 0 {
			limit = min(limit, a.cfg.MaxNodesTotal-total)
		}
		if limit <= 0 || s.Now < a.backoffs[g].until {
			continue
		}
		if o := a.estimate(s, g, gr, rest, limit); o.NodeCount > 0 {
			opts = append(opts, o)
		}
	}
	if len(opts) == 0 {
		d.Unhelped = len(rest)
		return false
	}
	best, why := a.expand(s, groups, opts)
	ups := []ScaleUp{{Group: best.Group, From: groups[best.Group].Target, To: groups[best.Group].Target + best.NodeCount}}
	if a.cfg.BalanceSimilarNodeGroups && groups[best.Group].Similar != "" {
		var similar []int
		for _, o := range opts {
			if groups[o.Group].Similar == groups[best.Group].Similar {
				similar = append(similar, o.Group)
			}
		}
		if len(similar) > 1 {
			ups = balance(groups, similar, best.NodeCount)
			why += "; balanced across similar node groups " + groupNames(groups, similar)
		}
	}
	expander := strings.Join(a.cfg.Expanders, ",")
	for i := range ups {
		u := &ups[i]
		u.Pods, u.Expander = len(best.Pods), expander
		u.Reason = fmt.Sprintf("%d unschedulable pods; %d fit on %d new %s nodes; %s", len(rest), len(best.Pods),
			best.NodeCount, groups[best.Group].Name, why)
		a.requests[u.Group] = request{active: true, deadline: s.Now + des.At(a.cfg.MaxNodeProvisionTime)}
	}
	d.ScaleUps = ups
	a.lastScaleUp = s.Now
	return true
}

// estimate is the binpacking estimator (estimator/binpacking_estimator.go):
// the pods a new node of the group can hold, largest first (the decreasing
// pod orderer: cpu and memory shares of the template, summed), each on the
// first new node it fits, a new node when none fits, at most limit nodes.
func (a *Autoscaler) estimate(s *Snapshot, g int, gr *Group, pods []int, limit int) Option {
	var elig []int
	for _, p := range pods {
		if gr.Template.fits(s.Pending[p].Requests) && s.FitsGroup(p, g) {
			elig = append(elig, p)
		}
	}
	score := func(p int) float64 {
		r := s.Pending[p].Requests
		return share(r.MilliCPU, gr.Template.MilliCPU) + share(r.MemoryBytes, gr.Template.MemoryBytes)
	}
	slices.SortStableFunc(elig, func(x, y int) int {
		sx, sy := score(x), score(y)
		switch {
		case sx > sy:
			return -1
		case sx < sy:
			return 1
		}
		return 0
	})
	var nodes []Resources
	o := Option{Group: g}
	for _, p := range elig {
		req := s.Pending[p].Requests
		placed := false
		for n := range nodes {
			if nodes[n].fits(req) {
				nodes[n] = nodes[n].sub(req)
				placed = true
				break
			}
		}
		if !placed {
			if len(nodes) >= limit {
				continue
			}
			nodes = append(nodes, gr.Template.sub(req))
		}
		o.Pods = append(o.Pods, p)
	}
	o.NodeCount = len(nodes)
	return o
}

func share(x, of int64) float64 {
	if of <= 0 {
		return 0
	}
	return float64(x) / float64(of)
}

// expand applies the expanders in succession, each keeping its best
// options, and breaks the ties left at random (expander/factory chain).
func (a *Autoscaler) expand(s *Snapshot, groups []Group, opts []Option) (Option, string) {
	var why []string
	for _, e := range a.cfg.Expanders {
		if len(opts) == 1 {
			break
		}
		var note string
		opts, note = a.filter(e, s, groups, opts)
		why = append(why, note)
	}
	pick := 0
	if len(opts) > 1 {
		pick = a.rnd.IntN(len(opts))
		why = append(why, "random among "+optionNames(groups, opts))
	}
	if len(why) == 0 {
		why = append(why, "the only node group that helps")
	}
	return opts[pick], strings.Join(why, "; then ")
}

// filter keeps the options expander e prefers, and says why.
func (a *Autoscaler) filter(e string, s *Snapshot, groups []Group, opts []Option) ([]Option, string) {
	all := optionNames(groups, opts)
	switch e {
	case ExpanderMostPods:
		// expander/mostpods: the most pods scheduled.
		kept := best(opts, func(o Option) float64 { return -float64(len(o.Pods)) })
		return kept, "most-pods: " + optionNames(groups, kept) + " of " + all
	case ExpanderLeastNodes:
		// expander/leastnodes: the fewest new nodes.
		kept := best(opts, func(o Option) float64 { return float64(o.NodeCount) })
		return kept, "least-nodes: " + optionNames(groups, kept) + " of " + all
	case ExpanderLeastWaste:
		// expander/waste: (capacity − requested)/capacity of CPU, plus the
		// same of memory, over the new nodes; the least wins.
		waste := func(o Option) float64 { return wasteOf(s, &groups[o.Group], o) }
		kept := best(opts, waste)
		var ws []string
		for _, o := range opts {
			ws = append(ws, groups[o.Group].Name+" "+strconv.FormatFloat(waste(o), 'f', 3, 64))
		}
		return kept, "least-waste: " + optionNames(groups, kept) + " (waste " + strings.Join(ws, ", ") + ")"
	case ExpanderPrice:
		// choice: the cheapest new nodes per pod scheduled (upstream's price
		// expander has no AWS pricing; see the semantics page).
		cost := func(o Option) float64 {
			return groups[o.Group].PriceUSDPerHour * float64(o.NodeCount) / float64(max(len(o.Pods), 1))
		}
		kept := best(opts, cost)
		return kept, "price: " + optionNames(groups, kept) + " of " + all
	case ExpanderPriority:
		// expander/priority: the options whose group matches the highest
		// priority tier with a match; none matching keeps them all.
		top, found := 0, false
		for _, o := range opts {
			if p, ok := a.priorityOf(groups[o.Group].Name); ok && (!found || p > top) {
				top, found = p, true
			}
		}
		if !found {
			return opts, "priority: no tier matches " + all
		}
		var kept []Option
		for _, o := range opts {
			if p, ok := a.priorityOf(groups[o.Group].Name); ok && p == top {
				kept = append(kept, o)
			}
		}
		return kept, "priority " + strconv.Itoa(top) + ": " + optionNames(groups, kept) + " of " + all
	}
	return opts, "random"
}

func (a *Autoscaler) priorityOf(name string) (int, bool) {
	best, found := 0, false
	for _, t := range a.prio {
		for _, re := range t.res {
			if re.MatchString(name) && (!found || t.priority > best) {
				best, found = t.priority, true
			}
		}
	}
	return best, found
}

// wasteOf is least-waste's score of an option.
func wasteOf(s *Snapshot, g *Group, o Option) float64 {
	var cpu, mem int64
	for _, p := range o.Pods {
		cpu += s.Pending[p].Requests.MilliCPU
		mem += s.Pending[p].Requests.MemoryBytes
	}
	availCPU := g.Capacity.MilliCPU * int64(o.NodeCount)
	availMem := g.Capacity.MemoryBytes * int64(o.NodeCount)
	return share(availCPU-cpu, availCPU) + share(availMem-mem, availMem)
}

// best keeps the options with the least key.
func best(opts []Option, key func(Option) float64) []Option {
	var kept []Option
	var lo float64
	for _, o := range opts {
		k := key(o)
		switch {
		case len(kept) == 0 || k < lo:
			kept, lo = []Option{o}, k
		case k == lo:
			kept = append(kept, o)
		}
	}
	return kept
}

// balance splits n new nodes among similar groups as
// BalanceScaleUpBetweenGroups does: each node to the group with the
// smallest target so far (the first such), never past its max.
func balance(groups []Group, similar []int, n int) []ScaleUp {
	to := make([]int, len(similar))
	for i, g := range similar {
		to[i] = groups[g].Target
	}
	for range n {
		k := -1
		for i, g := range similar {
			if to[i] < groups[g].Max && (k < 0 || to[i] < to[k]) {
				k = i
			}
		}
		if k < 0 {
			break
		}
		to[k]++
	}
	var ups []ScaleUp
	for i, g := range similar {
		if to[i] > groups[g].Target {
			ups = append(ups, ScaleUp{Group: g, From: groups[g].Target, To: to[i]})
		}
	}
	return ups
}

func optionNames(groups []Group, opts []Option) string {
	var gs []int
	for _, o := range opts {
		gs = append(gs, o.Group)
	}
	return groupNames(groups, gs)
}

func groupNames(groups []Group, gs []int) string {
	names := make([]string, len(gs))
	for i, g := range gs {
		names[i] = groups[g].Name
	}
	return "[" + strings.Join(names, " ") + "]"
}
