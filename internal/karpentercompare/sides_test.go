package karpentercompare

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/record"
	clocktesting "k8s.io/utils/clock/testing"
	fakecr "sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/log"

	v1 "sigs.k8s.io/karpenter/pkg/apis/v1"
	"sigs.k8s.io/karpenter/pkg/cloudprovider"
	"sigs.k8s.io/karpenter/pkg/cloudprovider/fake"
	"sigs.k8s.io/karpenter/pkg/controllers/provisioning/scheduling"
	"sigs.k8s.io/karpenter/pkg/controllers/state"
	"sigs.k8s.io/karpenter/pkg/events"
	"sigs.k8s.io/karpenter/pkg/operator/injection"
	"sigs.k8s.io/karpenter/pkg/operator/logging"
	"sigs.k8s.io/karpenter/pkg/operator/options"
	ksched "sigs.k8s.io/karpenter/pkg/scheduling"
	"sigs.k8s.io/karpenter/pkg/test"
	nodepoolutils "sigs.k8s.io/karpenter/pkg/utils/nodepool"

	"github.com/fleetsim/fleetsim/autoscale/karpenter"
)

func init() {
	log.SetLogger(logging.NopLogger)
	// The AWS provider registers its instance labels as well-known
	// (karpenter-provider-aws pkg/apis/v1/labels.go); core Karpenter does
	// not know them.
	v1.WellKnownLabels.Insert(lFamily, lSize, lCPU, lMemory)
}

// claim is one NodeClaim as either side plans it.
type claim struct {
	pool     string
	pods     []int    // the shape of each pod, sorted
	options  []string // the flexible list, sorted by name
	launched string   // type/zone/capacity of the launch
	price    float64
}

// outcome is a side's whole answer for a case.
type outcome struct {
	claims        []claim
	unschedulable []int // by shape
	fakeCreate    []string
}

func (c claim) podsKey() string { return c.pool + " " + fmt.Sprint(c.pods) }
func (c claim) optsKey() string { return c.podsKey() + " " + strings.Join(c.options, ",") }
func (c claim) launchKey() string {
	return c.podsKey() + " " + c.launched
}

func (o outcome) cost() float64 {
	var s float64
	for _, c := range o.claims {
		s += c.price
	}
	return s
}

// ---- Karpenter's side ----

func quantityMilli(m int64) resource.Quantity {
	return *resource.NewMilliQuantity(m, resource.DecimalSI)
}
func quantityBytes(b int64) resource.Quantity { return *resource.NewQuantity(b, resource.BinarySI) }

func karpenterTypes(c kcase) []*cloudprovider.InstanceType {
	var out []*cloudprovider.InstanceType
	for _, t := range c.types {
		var zs, cts []string
		var ofs cloudprovider.Offerings
		for _, o := range t.offerings {
			if !slices.Contains(zs, o.zone) {
				zs = append(zs, o.zone)
			}
			if !slices.Contains(cts, o.capacity) {
				cts = append(cts, o.capacity)
			}
			ofs = append(ofs, &cloudprovider.Offering{Available: o.available, Price: o.price,
				Requirements: ksched.NewLabelRequirements(map[string]string{v1.CapacityTypeLabelKey: o.capacity, corev1.LabelTopologyZone: o.zone})})
		}
		rc, rm := reserve(t.vcpu, t.maxPods)
		out = append(out, &cloudprovider.InstanceType{
			Name: t.name,
			Requirements: ksched.NewRequirements(
				ksched.NewRequirement(corev1.LabelInstanceTypeStable, corev1.NodeSelectorOpIn, t.name),
				ksched.NewRequirement(corev1.LabelArchStable, corev1.NodeSelectorOpIn, t.arch),
				ksched.NewRequirement(corev1.LabelOSStable, corev1.NodeSelectorOpIn, string(corev1.Linux)),
				ksched.NewRequirement(corev1.LabelTopologyZone, corev1.NodeSelectorOpIn, zs...),
				ksched.NewRequirement(v1.CapacityTypeLabelKey, corev1.NodeSelectorOpIn, cts...),
				ksched.NewRequirement(lFamily, corev1.NodeSelectorOpIn, t.family),
				ksched.NewRequirement(lSize, corev1.NodeSelectorOpIn, t.size),
				ksched.NewRequirement(lCPU, corev1.NodeSelectorOpIn, strconv.Itoa(t.vcpu)),
				ksched.NewRequirement(lMemory, corev1.NodeSelectorOpIn, strconv.FormatInt(t.memMiB, 10)),
			),
			Offerings: ofs,
			Capacity: corev1.ResourceList{
				corev1.ResourceCPU:    quantityMilli(int64(t.vcpu) * 1000),
				corev1.ResourceMemory: quantityBytes(t.memMiB * mib),
				corev1.ResourcePods:   *resource.NewQuantity(t.maxPods, resource.DecimalSI),
			},
			Overhead: &cloudprovider.InstanceTypeOverhead{KubeReserved: corev1.ResourceList{
				corev1.ResourceCPU: quantityMilli(rc), corev1.ResourceMemory: quantityBytes(rm)}},
		})
	}
	return out
}

func karpenterPools(c kcase) []*v1.NodePool {
	var out []*v1.NodePool
	for _, p := range c.pools {
		var rs []v1.NodeSelectorRequirementWithMinValues
		for _, r := range p.reqs {
			rs = append(rs, v1.NodeSelectorRequirementWithMinValues{Key: r.key, Operator: corev1.NodeSelectorOperator(r.op), Values: slices.Clone(r.values)})
		}
		np := test.NodePool(v1.NodePool{ObjectMeta: metav1.ObjectMeta{Name: p.name}})
		np.Spec.Template.Spec.Requirements = rs
		np.Spec.Weight = nil
		if p.weight != 0 {
			np.Spec.Weight = new(p.weight)
		}
		np.Spec.Limits = nil
		if p.limitMilliCPU >= 0 || p.limitMemBytes >= 0 {
			np.Spec.Limits = v1.Limits{}
			if p.limitMilliCPU >= 0 {
				np.Spec.Limits[corev1.ResourceCPU] = quantityMilli(p.limitMilliCPU)
			}
			if p.limitMemBytes >= 0 {
				np.Spec.Limits[corev1.ResourceMemory] = quantityBytes(p.limitMemBytes)
			}
		}
		if p.tainted {
			np.Spec.Template.Spec.Taints = []corev1.Taint{{Key: "dedicated", Value: p.name, Effect: corev1.TaintEffectNoSchedule}}
		}
		out = append(out, np)
	}
	return out
}

// karpenterPods names each pod s<shape>-p<n>: the UID is the queue's last
// tie-break (queue.go byCPUAndMemoryDescending), so pods of equal requests
// are taken in shape order, as fleetsim takes them.
func karpenterPods(c kcase) []*corev1.Pod {
	var out []*corev1.Pod
	for si, s := range c.shapes {
		for k := range s.count {
			name := fmt.Sprintf("s%02d-p%04d", si, k)
			p := &corev1.Pod{
				ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default", UID: types.UID(name)},
				Spec: corev1.PodSpec{
					Containers: []corev1.Container{{Name: "app", Image: "app", Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{
						corev1.ResourceCPU: quantityMilli(s.milliCPU), corev1.ResourceMemory: quantityBytes(s.memBytes)}}}},
				},
				Status: corev1.PodStatus{Phase: corev1.PodPending, Conditions: []corev1.PodCondition{{Type: corev1.PodScheduled, Status: corev1.ConditionFalse, Reason: corev1.PodReasonUnschedulable}}},
			}
			if len(s.selector) > 0 {
				p.Spec.NodeSelector = map[string]string{}
				for k, v := range s.selector {
					p.Spec.NodeSelector[k] = v
				}
			}
			if s.tolerates {
				p.Spec.Tolerations = []corev1.Toleration{{Key: "dedicated", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule}}
			}
			out = append(out, p)
		}
	}
	return out
}

func shapeOf(p *corev1.Pod) int {
	n, err := strconv.Atoi(p.Name[1:3])
	if err != nil {
		panic(err)
	}
	return n
}

// runKarpenter gives the case to Karpenter's scheduler as its provisioner
// does (provisioner.go Schedule: NodePools ordered by weight, NewTopology,
// NewScheduler, Solve, then TruncateInstanceTypes to MaxInstanceTypes and
// ToNodeClaim), and launches each NodeClaim as the AWS provider would
// (launchAWS); the fake cloud provider's Create is recorded alongside.
func runKarpenter(t testing.TB, c kcase) outcome {
	t.Helper()
	ctx := options.ToContext(injection.WithControllerName(context.Background(), "provisioner"), test.Options())
	its := karpenterTypes(c)
	nps := karpenterPools(c)
	nodepoolutils.OrderByWeight(nps)
	pods := karpenterPods(c)
	cp := fake.NewCloudProvider()
	cp.InstanceTypes = its
	client := fakecr.NewFakeClient()
	clk := clocktesting.NewFakeClock(metav1.Now().Time)
	cluster := state.NewCluster(clk, client, cp)
	byPool := map[string][]*cloudprovider.InstanceType{}
	for _, np := range nps {
		byPool[np.Name] = slices.Clone(its)
	}
	topo, err := scheduling.NewTopology(ctx, client, cluster, nil, nps, byPool, pods)
	if err != nil {
		t.Fatal(err)
	}
	var daemons []*corev1.Pod
	if c.daemonMilliCPU > 0 {
		// a DaemonSet pod that tolerates every taint: each pool's overhead
		daemons = append(daemons, &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "daemon", Namespace: "kube-system", UID: "daemon"},
			Spec: corev1.PodSpec{Tolerations: []corev1.Toleration{{Operator: corev1.TolerationOpExists}},
				Containers: []corev1.Container{{Name: "agent", Image: "agent", Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{
					corev1.ResourceCPU: quantityMilli(c.daemonMilliCPU), corev1.ResourceMemory: quantityBytes(c.daemonMemBytes)}}}}}})
	}
	s := scheduling.NewScheduler(ctx, client, nps, cluster, nil, topo, byPool, daemons, events.NewRecorder(&record.FakeRecorder{}), clk, nil)
	res, err := s.Solve(ctx, pods)
	if err != nil {
		t.Fatal(err)
	}
	res = res.TruncateInstanceTypes(ctx, scheduling.MaxInstanceTypes)
	out := outcome{unschedulable: make([]int, len(c.shapes))}
	for p := range res.PodErrors {
		out.unschedulable[shapeOf(p)]++
	}
	for _, nc := range res.NewNodeClaims {
		cl := claim{pool: nc.NodePoolName}
		for _, p := range nc.Pods {
			cl.pods = append(cl.pods, shapeOf(p))
		}
		slices.Sort(cl.pods)
		obj := nc.ToNodeClaim()
		reqs := ksched.NewNodeSelectorRequirementsWithMinValues(obj.Spec.Requirements...)
		for _, it := range nc.InstanceTypeOptions {
			cl.options = append(cl.options, it.Name)
		}
		slices.Sort(cl.options)
		cl.launched, cl.price = launchAWS(nc.InstanceTypeOptions, reqs)
		if created, err := cp.Create(ctx, obj); err == nil {
			out.fakeCreate = append(out.fakeCreate, created.Labels[corev1.LabelInstanceTypeStable]+"/"+created.Labels[corev1.LabelTopologyZone]+"/"+created.Labels[v1.CapacityTypeLabelKey])
		}
		out.claims = append(out.claims, cl)
	}
	return out
}

// launchAWS is the launch the AWS provider makes of a NodeClaim
// (karpenter-provider-aws pkg/providers/instance/instance.go): the capacity
// type is Spot when the NodeClaim allows Spot and one of its instance types
// has an available Spot offering it admits, else On-Demand; CreateFleet is
// sent every admitted offering of that capacity type with the
// lowest-price (On-Demand) or price-capacity-optimized (Spot) strategy,
// which with every pool equally deep is the cheapest offering. The fake
// cloud provider instead takes the cheapest type by its cheapest offering
// of any capacity type and that type's first admitted offering.
func launchAWS(its []*cloudprovider.InstanceType, reqs ksched.Requirements) (string, float64) {
	ct := v1.CapacityTypeOnDemand
	if reqs.Get(v1.CapacityTypeLabelKey).Has(v1.CapacityTypeSpot) {
		for _, it := range its {
			if len(it.Offerings.Available().Compatible(reqs).Compatible(cloudprovider.SpotRequirement)) > 0 {
				ct = v1.CapacityTypeSpot
				break
			}
		}
	}
	best, price := "", math.MaxFloat64
	ctReq := ksched.NewRequirements(ksched.NewRequirement(v1.CapacityTypeLabelKey, corev1.NodeSelectorOpIn, ct))
	for _, it := range its {
		for _, o := range it.Offerings.Available().Compatible(reqs).Compatible(ctReq) {
			if o.Price < price {
				best, price = it.Name+"/"+o.Requirements.Get(corev1.LabelTopologyZone).Any()+"/"+ct, o.Price
			}
		}
	}
	if best == "" {
		return "none", 0
	}
	return best, price
}

// ---- fleetsim's side ----

func fleetsimProblem(c kcase) *karpenter.Problem {
	p := &karpenter.Problem{}
	ops := map[string]karpenter.Operator{"In": karpenter.In, "NotIn": karpenter.NotIn, "Gt": karpenter.Gt, "Lt": karpenter.Lt}
	for _, t := range c.types {
		rc, rm := reserve(t.vcpu, t.maxPods)
		ft := karpenter.InstanceType{Name: t.name, Family: t.family, Size: t.size, Arch: t.arch, VCPU: t.vcpu, MemoryMiB: t.memMiB,
			Capacity:    karpenter.Resources{MilliCPU: int64(t.vcpu) * 1000, MemoryBytes: t.memMiB * mib, Pods: t.maxPods},
			Allocatable: karpenter.Resources{MilliCPU: int64(t.vcpu)*1000 - rc, MemoryBytes: t.memMiB*mib - rm, Pods: t.maxPods}}
		for _, o := range t.offerings {
			ct := karpenter.OnDemand
			if o.capacity == "spot" {
				ct = karpenter.Spot
			}
			ft.Offerings = append(ft.Offerings, karpenter.Offering{Zone: o.zone, Capacity: ct, PriceUSDPerHour: o.price, Available: o.available})
		}
		p.Types = append(p.Types, ft)
	}
	for _, np := range c.pools {
		fp := karpenter.NodePool{Name: np.name, Weight: np.weight, LimitMilliCPU: np.limitMilliCPU, LimitMemoryBytes: np.limitMemBytes}
		if c.daemonMilliCPU > 0 {
			fp.Overhead = karpenter.Resources{MilliCPU: c.daemonMilliCPU, MemoryBytes: c.daemonMemBytes, Pods: 1}
		}
		for _, r := range np.reqs {
			fp.Requirements = append(fp.Requirements, karpenter.Requirement{Key: r.key, Operator: ops[r.op], Values: slices.Clone(r.values)})
		}
		p.Pools = append(p.Pools, fp)
	}
	for _, s := range c.shapes {
		fs := karpenter.Shape{Requests: karpenter.Resources{MilliCPU: s.milliCPU, MemoryBytes: s.memBytes, Pods: 1}, Count: s.count}
		for _, np := range c.pools {
			fs.Pools = append(fs.Pools, s.tolerates || !np.tainted)
		}
		keys := make([]string, 0, len(s.selector))
		for k := range s.selector {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			fs.Requirements = append(fs.Requirements, karpenter.Requirement{Key: k, Operator: karpenter.In, Values: []string{s.selector[k]}})
		}
		p.Shapes = append(p.Shapes, fs)
	}
	return p
}

func runFleetsim(c kcase) outcome { return runFleetsimWith(c, nil) }

// runFleetsimWith runs fleetsim on the case after mutate changes what it is
// given (nil: nothing): the planted bugs.
func runFleetsimWith(c kcase, mutate func(*karpenter.Problem)) outcome {
	p := fleetsimProblem(c)
	if mutate != nil {
		mutate(p)
	}
	plan := karpenter.Provision(p)
	out := outcome{unschedulable: make([]int, len(c.shapes))}
	for _, u := range plan.Unschedulable {
		out.unschedulable[u.Shape] += u.Count
	}
	for _, l := range plan.Launches {
		cl := claim{pool: p.Pools[l.Pool].Name, price: l.PriceUSDPerHour}
		for _, sc := range l.Pods {
			for range sc.Count {
				cl.pods = append(cl.pods, sc.Shape)
			}
		}
		slices.Sort(cl.pods)
		for _, ti := range l.Options {
			cl.options = append(cl.options, p.Types[ti].Name)
		}
		slices.Sort(cl.options)
		cl.launched = p.Types[l.Type].Name + "/" + l.Zone + "/" + l.Capacity.String()
		out.claims = append(out.claims, cl)
	}
	return out
}
