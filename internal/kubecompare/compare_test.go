package kubecompare

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"

	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	utilfeature "k8s.io/apiserver/pkg/util/feature"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes/fake"
	fwk "k8s.io/kube-scheduler/framework"
	"k8s.io/kubernetes/pkg/scheduler/apis/config"
	"k8s.io/kubernetes/pkg/scheduler/backend/cache"
	"k8s.io/kubernetes/pkg/scheduler/framework"
	"k8s.io/kubernetes/pkg/scheduler/framework/plugins/feature"
	"k8s.io/kubernetes/pkg/scheduler/framework/plugins/imagelocality"
	"k8s.io/kubernetes/pkg/scheduler/framework/plugins/interpodaffinity"
	"k8s.io/kubernetes/pkg/scheduler/framework/plugins/nodeaffinity"
	"k8s.io/kubernetes/pkg/scheduler/framework/plugins/nodename"
	"k8s.io/kubernetes/pkg/scheduler/framework/plugins/nodeports"
	"k8s.io/kubernetes/pkg/scheduler/framework/plugins/noderesources"
	"k8s.io/kubernetes/pkg/scheduler/framework/plugins/nodeunschedulable"
	"k8s.io/kubernetes/pkg/scheduler/framework/plugins/podtopologyspread"
	"k8s.io/kubernetes/pkg/scheduler/framework/plugins/tainttoleration"
	frameworkruntime "k8s.io/kubernetes/pkg/scheduler/framework/runtime"
	"k8s.io/kubernetes/pkg/scheduler/metrics"

	"github.com/fleetsim/fleetsim/placement/kube"
)

var cases = flag.Int("cases", 5000, "randomized clusters to compare")

// realPlugins is kube-scheduler v1.37.2's default profile, less the volume,
// DRA and preemption plugins: the real plugins over a snapshot of the case.
type realPlugins struct {
	filters []fwk.FilterPlugin
	scores  []fwk.ScorePlugin
	weights map[string]int64
	snap    *cache.Snapshot
}

func newRealPlugins(t *testing.T, ctx context.Context, s scenario, nodes []*v1.Node, existing []*v1.Pod) realPlugins {
	t.Helper()
	objs := []runtime.Object{}
	for _, ns := range namespaces {
		objs = append(objs, &v1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}})
	}
	for _, sv := range s.services {
		objs = append(objs, service(sv[0], sv[1]))
	}
	informerFactory := informers.NewSharedInformerFactory(fake.NewClientset(objs...), 0)
	snap := cache.NewSnapshot(existing, nodes)
	h, err := frameworkruntime.NewFramework(ctx, nil, nil,
		frameworkruntime.WithSnapshotSharedLister(snap), frameworkruntime.WithInformerFactory(informerFactory))
	if err != nil {
		t.Fatal(err)
	}
	fts := feature.NewSchedulerFeaturesFromGates(utilfeature.DefaultFeatureGate)
	both := func(pl fwk.Plugin, err error) fwk.Plugin {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return pl
	}
	res := []config.ResourceSpec{{Name: "cpu", Weight: 1}, {Name: "memory", Weight: 1}}
	nodeName := both(nodename.New(ctx, nil, h, fts))
	unsched := both(nodeunschedulable.New(ctx, nil, h, fts))
	taint := both(tainttoleration.New(ctx, nil, h, fts))
	affinity := both(nodeaffinity.New(ctx, &config.NodeAffinityArgs{}, h, fts))
	ports := both(nodeports.New(ctx, nil, h, fts))
	fit := both(noderesources.NewFit(ctx, &config.NodeResourcesFitArgs{ScoringStrategy: &config.ScoringStrategy{Type: config.LeastAllocated, Resources: res}}, h, fts))
	spread := both(podtopologyspread.New(ctx, &config.PodTopologySpreadArgs{DefaultingType: config.SystemDefaulting}, h, fts))
	ipa := both(interpodaffinity.New(ctx, &config.InterPodAffinityArgs{HardPodAffinityWeight: 1}, h, fts))
	balanced := both(noderesources.NewBalancedAllocation(ctx, &config.NodeResourcesBalancedAllocationArgs{Resources: res}, h, fts))
	image := both(imagelocality.New(ctx, nil, h))
	informerFactory.Start(ctx.Done())
	informerFactory.WaitForCacheSync(ctx.Done())
	rp := realPlugins{snap: snap, weights: map[string]int64{}}
	for _, pl := range []fwk.Plugin{nodeName, unsched, taint, affinity, ports, fit, spread, ipa} {
		rp.filters = append(rp.filters, pl.(fwk.FilterPlugin))
	}
	for _, w := range []struct {
		pl fwk.Plugin
		w  int64
	}{{taint, 3}, {affinity, 2}, {fit, 1}, {spread, 2}, {ipa, 2}, {balanced, 1}, {image, 1}} {
		rp.scores = append(rp.scores, w.pl.(fwk.ScorePlugin))
		rp.weights[w.pl.Name()] = w.w
	}
	return rp
}

// verdict is one filter's answer on one node, in words both sides share.
type verdict struct {
	Code    string
	Reasons string
}

func realVerdict(st *fwk.Status) verdict {
	if st.IsSuccess() {
		return verdict{Code: "Success"}
	}
	rs := slices.Clone(st.Reasons())
	sort.Strings(rs)
	return verdict{Code: st.Code().String(), Reasons: strings.Join(rs, "; ")}
}

func simVerdict(st kube.Status) verdict {
	if st.IsSuccess() {
		return verdict{Code: "Success"}
	}
	var rs []string
	for _, r := range st.Reasons.Reasons() {
		rs = append(rs, r.String())
	}
	sort.Strings(rs)
	return verdict{Code: st.Code.String(), Reasons: strings.Join(rs, "; ")}
}

// tally counts what the comparison saw and where the two disagreed.
type tally struct {
	cases, filterVerdicts, scored, scoreValues, chosen int
	diffs                                              map[string]int
	examples                                           map[string]string
	rejections, varied                                 map[string]int // per plugin: "no" verdicts; cases where scores differ between nodes
}

func (tl *tally) diff(kind string, format string, args ...any) {
	tl.diffs[kind]++
	if _, ok := tl.examples[kind]; !ok {
		tl.examples[kind] = fmt.Sprintf(format, args...)
	}
}

func TestPluginsAgreeWithKubeScheduler(t *testing.T) {
	n := *cases
	if testing.Short() {
		n = min(n, 300)
	}
	metrics.Register() // the plugins' parallelizer records metrics
	tl := &tally{diffs: map[string]int{}, examples: map[string]string{}, rejections: map[string]int{}, varied: map[string]int{}}
	for i := range n {
		r := rand.New(rand.NewPCG(uint64(i), 21))
		compareCase(t, tl, i, genScenario(r))
	}
	t.Logf("cases %d, filter verdicts %d, cases scored %d, scores %d, choices %d", tl.cases, tl.filterVerdicts, tl.scored, tl.scoreValues, tl.chosen)
	t.Logf("rejecting verdicts by filter: %v", tl.rejections)
	t.Logf("cases whose scores vary over the nodes, by plugin: %v", tl.varied)
	for _, k := range slices.Sorted(func(yield func(string) bool) {
		for k := range tl.diffs {
			if !yield(k) {
				return
			}
		}
	}) {
		t.Errorf("%s: %d differences; first: %s", k, tl.diffs[k], tl.examples[k])
	}
}

func compareCase(t *testing.T, tl *tally, i int, s scenario) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	tl.cases++
	// fleetsim
	c := kube.NewCluster()
	for _, n := range s.nodes {
		if _, err := c.AddNode(n); err != nil {
			t.Fatal(err)
		}
	}
	for _, b := range s.existing {
		pi, err := c.NewPodInfo(b.pod)
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		id, _ := c.Lookup(b.node)
		if err := c.Bind(pi, id); err != nil {
			t.Fatal(err)
		}
	}
	pi, err := c.NewPodInfo(s.incoming)
	if err != nil {
		t.Fatalf("case %d: %v", i, err)
	}
	prof := kube.DefaultProfile()
	// kube-scheduler
	var nodes []*v1.Node
	for _, n := range s.nodes {
		nodes = append(nodes, v1Node(n))
	}
	var existing []*v1.Pod
	for _, b := range s.existing {
		existing = append(existing, v1Pod(b.pod, b.node))
	}
	pod := v1Pod(s.incoming, s.incoming.NodeName)
	rp := newRealPlugins(t, ctx, s, nodes, existing)
	infos, err := rp.snap.NodeInfos().List()
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]fwk.NodeInfo{}
	for _, ni := range infos {
		byName[ni.Node().Name] = ni
	}
	simNodes := c.Nodes()

	// Filters, every plugin on every node.
	state := framework.NewCycleState()
	realFirst := make([]*fwk.Status, len(simNodes))
	simFirst := make([]kube.Status, len(simNodes))
	for k, rf := range rp.filters {
		sf := prof.Filters[k]
		if rf.Name() != sf.Name() {
			t.Fatalf("filter order: %s vs %s", rf.Name(), sf.Name())
		}
		realSkip, simSkip := false, false
		var realPre *fwk.Status
		if pre, ok := rf.(fwk.PreFilterPlugin); ok {
			_, realPre = pre.PreFilter(ctx, state, pod, infos)
			realSkip = realPre.IsSkip()
		}
		var simPre kube.Status
		if pre, ok := sf.(kube.PreFilterPlugin); ok {
			simPre = pre.PreFilter(c, pi)
			simSkip = simPre.IsSkip()
		}
		if !realPre.IsSuccess() && !realSkip {
			// A PreFilter that rejects the pod everywhere.
			if got, want := simVerdict(simPre), realVerdict(realPre); got != want {
				tl.diff("prefilter "+rf.Name(), "case %d: fleetsim %+v, kube %+v", i, got, want)
			}
			for j := range simNodes {
				if realFirst[j] == nil {
					realFirst[j] = realPre
				}
				if simFirst[j].IsSuccess() {
					simFirst[j] = simPre
				}
			}
			continue
		}
		for j, sn := range simNodes {
			want := fwk.NewStatus(fwk.Success)
			if !realSkip {
				want = rf.Filter(ctx, state, pod, byName[sn.Name()])
			}
			got := kube.Status{}
			if !simSkip {
				got = sf.Filter(pi, sn)
			}
			tl.filterVerdicts++
			if gv, wv := simVerdict(got), realVerdict(want); gv != wv {
				tl.diff("filter "+rf.Name(), "case %d node %s: fleetsim %+v, kube %+v", i, sn.Name(), gv, wv)
			}
			if !want.IsSuccess() {
				tl.rejections[rf.Name()]++
			}
			if realFirst[j] == nil && !want.IsSuccess() {
				realFirst[j] = want
			}
			if simFirst[j].IsSuccess() && !got.IsSuccess() {
				simFirst[j] = got
			}
		}
	}
	var realFeasible []fwk.NodeInfo
	var simFeasible []*kube.NodeInfo
	for j, sn := range simNodes {
		if realFirst[j] == nil {
			realFeasible = append(realFeasible, byName[sn.Name()])
			simFeasible = append(simFeasible, sn)
		}
	}
	compareSchedule(t, tl, i, c, pi, s, realFirst, realFeasible, pod, rp, ctx, state, simNodes)
	// The score plugins take any node list; over every node (feasible or
	// not) they must agree as well.
	all := make([]fwk.NodeInfo, len(simNodes))
	for j, sn := range simNodes {
		all[j] = byName[sn.Name()]
	}
	compareScores(t, tl, i, " (all nodes)", c, pi, prof, rp, ctx, framework.NewCycleState(), pod, all, simNodes)
	if len(realFeasible) == 0 {
		return
	}
	tl.scored++
	simTotal := compareScores(t, tl, i, "", c, pi, prof, rp, ctx, state, pod, realFeasible, simFeasible)
	f, err := kube.NewFramework(c, kube.DefaultProfile())
	if err != nil {
		t.Fatal(err)
	}
	if len(simFeasible) > 1 {
		if got := f.ScoreNodes(pi, simFeasible); !slices.Equal(got, simTotal) {
			tl.diff("framework total", "case %d: Framework.ScoreNodes %v, plugins %v", i, got, simTotal)
		}
	}
}

// compareScores compares each score plugin's raw and normalised scores and
// the weighted totals over the given nodes, and returns fleetsim's totals.
func compareScores(t *testing.T, tl *tally, i int, label string, c *kube.Cluster, pi *kube.PodInfo, prof kube.Profile, rp realPlugins,
	ctx context.Context, state fwk.CycleState, pod *v1.Pod, realFeasible []fwk.NodeInfo, simFeasible []*kube.NodeInfo) []int64 {
	t.Helper()
	realTotal := make([]int64, len(realFeasible))
	simTotal := make([]int64, len(simFeasible))
	for k, rs := range rp.scores {
		ss := prof.Scores[k]
		if rs.Name() != ss.Plugin.Name() {
			t.Fatalf("score order: %s vs %s", rs.Name(), ss.Plugin.Name())
		}
		realRaw, realNorm := runRealScore(t, ctx, state, rs, pod, realFeasible)
		simRaw, simNorm := runSimScore(c, ss.Plugin, pi, simFeasible)
		tl.scoreValues += len(realRaw)
		if slices.Min(realNorm) != slices.Max(realNorm) {
			tl.varied[rs.Name()]++
		}
		if !slices.Equal(realRaw, simRaw) {
			tl.diff("raw score "+rs.Name()+label, "case %d nodes %v: fleetsim %v, kube %v", i, names(simFeasible), simRaw, realRaw)
		}
		if !slices.Equal(realNorm, simNorm) {
			tl.diff("score "+rs.Name()+label, "case %d nodes %v: fleetsim %v, kube %v", i, names(simFeasible), simNorm, realNorm)
		}
		for j := range realNorm {
			realTotal[j] += realNorm[j] * rp.weights[rs.Name()]
			simTotal[j] += simNorm[j] * ss.Weight
		}
	}
	if !slices.Equal(realTotal, simTotal) {
		tl.diff("weighted total"+label, "case %d nodes %v: fleetsim %v, kube %v", i, names(simFeasible), simTotal, realTotal)
	}
	return simTotal
}

// compareSchedule runs fleetsim's whole cycle and checks its choice against
// kube's best nodes, or its FitError against kube's message.
func compareSchedule(t *testing.T, tl *tally, i int, c *kube.Cluster, pi *kube.PodInfo, s scenario, realFirst []*fwk.Status,
	realFeasible []fwk.NodeInfo, pod *v1.Pod, rp realPlugins, ctx context.Context, state fwk.CycleState, simNodes []*kube.NodeInfo) {
	t.Helper()
	f, err := kube.NewFramework(c, kube.DefaultProfile())
	if err != nil {
		t.Fatal(err)
	}
	res, err := f.Schedule(pi, nil)
	tl.chosen++
	if len(realFeasible) == 0 {
		if err == nil {
			tl.diff("schedule", "case %d: fleetsim chose %s, kube finds no feasible node", i, c.NodeInfo(res.Node).Name())
			return
		}
		fe := &framework.FitError{Pod: pod, NumAllNodes: len(simNodes), Diagnosis: framework.Diagnosis{NodeToStatus: framework.NewDefaultNodeToStatus()}}
		for j, sn := range simNodes {
			if pod.Spec.NodeName != "" && sn.Name() != pod.Spec.NodeName {
				continue // left out by NodeName's PreFilterResult
			}
			fe.Diagnosis.NodeToStatus.Set(sn.Name(), realFirst[j])
		}
		if pod.Spec.NodeName != "" {
			// schedule_one.go findNodesThatFitPod: the nodes a PreFilterResult leaves out.
			fe.Diagnosis.NodeToStatus.SetAbsentNodesStatus(fwk.NewStatus(fwk.UnschedulableAndUnresolvable, "node(s) didn't satisfy plugin(s) [NodeName]"))
		}
		if got, want := err.Error(), fe.Error(); got != want {
			tl.diff("fit error", "case %d:\n  fleetsim %s\n  kube     %s", i, got, want)
		}
		return
	}
	if err != nil {
		tl.diff("schedule", "case %d: fleetsim %v, kube has %d feasible nodes", i, err, len(realFeasible))
		return
	}
	if res.FeasibleNodes != len(realFeasible) {
		tl.diff("feasible count", "case %d: fleetsim %d, kube %d", i, res.FeasibleNodes, len(realFeasible))
	}
	best := realBest(t, ctx, state, rp, pod, realFeasible)
	if !slices.Contains(best, c.NodeInfo(res.Node).Name()) {
		tl.diff("chosen node", "case %d: fleetsim %s, kube's best %v", i, c.NodeInfo(res.Node).Name(), best)
	}
}

// realBest returns the names of the feasible nodes with kube's highest
// weighted total (all of them when there is one: kube does not score).
func realBest(t *testing.T, ctx context.Context, state fwk.CycleState, rp realPlugins, pod *v1.Pod, feasible []fwk.NodeInfo) []string {
	t.Helper()
	total := make([]int64, len(feasible))
	if len(feasible) > 1 {
		for _, rs := range rp.scores {
			_, norm := runRealScore(t, ctx, state, rs, pod, feasible)
			for j := range norm {
				total[j] += norm[j] * rp.weights[rs.Name()]
			}
		}
	}
	hi := slices.Max(total)
	var out []string
	for j, v := range total {
		if v == hi {
			out = append(out, feasible[j].Node().Name)
		}
	}
	return out
}

func runRealScore(t *testing.T, ctx context.Context, state fwk.CycleState, pl fwk.ScorePlugin, pod *v1.Pod, feasible []fwk.NodeInfo) (raw, norm []int64) {
	t.Helper()
	raw = make([]int64, len(feasible))
	norm = make([]int64, len(feasible))
	if pre, ok := pl.(fwk.PreScorePlugin); ok {
		st := pre.PreScore(ctx, state, pod, feasible)
		if st.IsSkip() {
			return raw, norm
		}
		if !st.IsSuccess() {
			t.Fatalf("%s PreScore: %v", pl.Name(), st)
		}
	}
	list := make(fwk.NodeScoreList, len(feasible))
	for j, ni := range feasible {
		v, st := pl.Score(ctx, state, pod, ni)
		if !st.IsSuccess() {
			t.Fatalf("%s Score: %v", pl.Name(), st)
		}
		raw[j] = v
		list[j] = fwk.NodeScore{Name: ni.Node().Name, Score: v}
	}
	if ext := pl.ScoreExtensions(); ext != nil {
		if st := ext.NormalizeScore(ctx, state, pod, list); !st.IsSuccess() {
			t.Fatalf("%s NormalizeScore: %v", pl.Name(), st)
		}
	}
	for j := range list {
		norm[j] = list[j].Score
	}
	return raw, norm
}

func runSimScore(c *kube.Cluster, pl kube.ScorePlugin, pi *kube.PodInfo, feasible []*kube.NodeInfo) (raw, norm []int64) {
	raw = make([]int64, len(feasible))
	norm = make([]int64, len(feasible))
	if pre, ok := pl.(kube.PreScorePlugin); ok && pre.PreScore(c, pi, feasible).IsSkip() {
		return raw, norm
	}
	for j, n := range feasible {
		raw[j] = pl.Score(pi, n)
	}
	copy(norm, raw)
	if nz, ok := pl.(kube.ScoreNormalizer); ok {
		nz.NormalizeScore(pi, feasible, norm)
	}
	return raw, norm
}

func names(ns []*kube.NodeInfo) []string {
	var out []string
	for _, n := range ns {
		out = append(out, n.Name())
	}
	return out
}
