package karpentercompare

import (
	"flag"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/fleetsim/fleetsim/autoscale/karpenter"
)

var (
	cases   = flag.Int("cases", 600, "random cases to compare")
	verbose = flag.Bool("show", false, "print every disagreeing case")
)

// tally counts, over the cases, how many agree at each level.
type tally struct {
	cases, claims, pods, options, launch, cost, unschedulable, all int
}

func (t tally) String() string {
	return fmt.Sprintf("%d cases: claim count %d, pods per claim %d, flexible lists %d, launches %d, hourly cost %d, unschedulable %d, all %d",
		t.cases, t.claims, t.pods, t.options, t.launch, t.cost, t.unschedulable, t.all)
}

func keys(o outcome, f func(claim) string) []string {
	var out []string
	for _, c := range o.claims {
		out = append(out, f(c))
	}
	slices.Sort(out)
	return out
}

// compare scores one case; it returns what differs (empty: all agree).
func compare(k, f outcome, t *tally) []string {
	var diff []string
	t.cases++
	if len(k.claims) == len(f.claims) {
		t.claims++
	} else {
		diff = append(diff, fmt.Sprintf("claims: karpenter %d, fleetsim %d", len(k.claims), len(f.claims)))
	}
	check := func(what string, fn func(claim) string, n *int) {
		a, b := keys(k, fn), keys(f, fn)
		if slices.Equal(a, b) {
			*n++
			return
		}
		diff = append(diff, fmt.Sprintf("%s:\n    karpenter %q\n    fleetsim  %q", what, a, b))
	}
	check("pods per claim", claim.podsKey, &t.pods)
	check("flexible lists", claim.optsKey, &t.options)
	check("launches", claim.launchKey, &t.launch)
	if math.Abs(k.cost()-f.cost()) < 1e-9 {
		t.cost++
	} else {
		diff = append(diff, fmt.Sprintf("cost: karpenter $%.6f/h, fleetsim $%.6f/h", k.cost(), f.cost()))
	}
	if slices.Equal(k.unschedulable, f.unschedulable) {
		t.unschedulable++
	} else {
		diff = append(diff, fmt.Sprintf("unschedulable by shape: karpenter %v, fleetsim %v", k.unschedulable, f.unschedulable))
	}
	if len(diff) == 0 {
		t.all++
	}
	return diff
}

// TestProvisionAgainstKarpenter gives seeded random cases to Karpenter's
// scheduler and to autoscale/karpenter and requires the same NodeClaims:
// count, pods on each, flexible list, launch and cost.
func TestProvisionAgainstKarpenter(t *testing.T) {
	var tl tally
	shown, claims, fakeType, fakeOffering := 0, 0, 0, 0
	many, mixed, unsched := 0, 0, 0 // what the cases exercise
	for i := range *cases {
		c := genCase(uint64(i))
		k, f := runKarpenter(t, c), runFleetsim(c)
		if len(k.claims) > 12 {
			many++ // beyond sort.Slice's insertion sort: ties fall unstably
		}
		if slices.ContainsFunc(k.unschedulable, func(n int) bool { return n > 0 }) {
			unsched++
		}
		for _, cl := range k.claims {
			sels := map[string]bool{}
			for _, si := range cl.pods {
				sels[fmt.Sprint(c.shapes[si].selector)] = true
			}
			if len(sels) > 1 {
				mixed++
			}
		}
		// what the fake cloud provider's Create would have launched,
		// against the AWS provider's rule (launchAWS)
		for j, cl := range k.claims {
			claims++
			if j < len(k.fakeCreate) {
				if k.fakeCreate[j] == cl.launched {
					fakeOffering++
				}
				if strings.SplitN(k.fakeCreate[j], "/", 2)[0] == strings.SplitN(cl.launched, "/", 2)[0] {
					fakeType++
				}
			}
		}
		if d := compare(k, f, &tl); len(d) > 0 && (*verbose || shown < 5) {
			shown++
			t.Errorf("%v\n  %s", c, fmt.Sprint(d))
		}
	}
	t.Log(tl)
	t.Logf("exercised: %d cases with more than 12 NodeClaims, %d NodeClaims mixing pods of different node selectors, %d cases leaving pods unschedulable",
		many, mixed, unsched)
	t.Logf("the fake cloud provider's Create (cheapest type by any offering, then its first admitted offering) "+
		"launches the AWS rule's type for %d of %d NodeClaims, the same offering for %d", fakeType, claims, fakeOffering)
}

// TestComparisonCatchesPlantedBugs plants one bug at a time in what fleetsim
// is given (the mistakes a translation from the world could make) and
// requires the comparison to see each in some of the cases: the agreement
// above is not the comparison being blind.
func TestComparisonCatchesPlantedBugs(t *testing.T) {
	n := min(*cases, 300)
	bugs := []struct {
		name   string
		mutate func(*karpenter.Problem)
	}{
		{"allocatable is the whole capacity (no AMI reserve)", func(p *karpenter.Problem) {
			for i := range p.Types {
				p.Types[i].Allocatable = p.Types[i].Capacity
			}
		}},
		{"DaemonSet overhead ignored", func(p *karpenter.Problem) {
			for i := range p.Pools {
				p.Pools[i].Overhead = karpenter.Resources{}
			}
		}},
		{"NodePool limits ignored", func(p *karpenter.Problem) {
			for i := range p.Pools {
				p.Pools[i].LimitMilliCPU, p.Pools[i].LimitMemoryBytes = -1, -1
			}
		}},
		{"pods' node selectors dropped", func(p *karpenter.Problem) {
			for i := range p.Shapes {
				p.Shapes[i].Requirements = nil
			}
		}},
		{"Spot priced as On-Demand", func(p *karpenter.Problem) {
			for i := range p.Types {
				od := 0.0
				for _, o := range p.Types[i].Offerings {
					if o.Capacity == karpenter.OnDemand {
						od = max(od, o.PriceUSDPerHour)
					}
				}
				for j := range p.Types[i].Offerings {
					if p.Types[i].Offerings[j].Capacity == karpenter.Spot {
						p.Types[i].Offerings[j].PriceUSDPerHour = od
					}
				}
			}
		}},
		{"NodePool weights ignored", func(p *karpenter.Problem) {
			for i := range p.Pools {
				p.Pools[i].Weight = 0
			}
		}},
		{"unavailable offerings treated as available", func(p *karpenter.Problem) {
			for i := range p.Types {
				for j := range p.Types[i].Offerings {
					p.Types[i].Offerings[j].Available = true
				}
			}
		}},
	}
	cs := make([]kcase, n)
	ks := make([]outcome, n)
	for i := range n {
		cs[i] = genCase(uint64(i))
		ks[i] = runKarpenter(t, cs[i])
	}
	for _, b := range bugs {
		var tl tally
		caught := 0
		for i, c := range cs {
			if d := compare(ks[i], runFleetsimWith(c, b.mutate), &tl); len(d) > 0 {
				caught++
			}
		}
		t.Logf("planted %q: %d of %d cases disagree (%v)", b.name, caught, n, tl)
		if caught == 0 {
			t.Errorf("planted %q: the comparison saw nothing in %d cases", b.name, n)
		}
	}
}
