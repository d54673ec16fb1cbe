package karpentercompare

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
)

// A case is what both provisioners are given, in neutral form: the
// instance types with their offerings, the NodePools and the pending pods
// grouped by shape. toKarpenter and toFleetsim translate it.
type kcase struct {
	seed   uint64
	types  []itype
	pools  []pool
	shapes []shape
	// daemon is a DaemonSet pod every node runs (requests; zero: none).
	daemonMilliCPU, daemonMemBytes int64
}

type offering struct {
	zone, capacity string // capacity: "on-demand" or "spot"
	price          float64
	available      bool
}

type itype struct {
	name, family, size, arch string
	vcpu                     int
	memMiB                   int64
	maxPods                  int64
	// allocatable: capacity less the AMI family's reserve.
	allocMilliCPU, allocMemBytes int64
	offerings                    []offering
}

type req struct {
	key, op string // op: In, NotIn, Gt, Lt
	values  []string
}

type pool struct {
	name   string
	weight int32
	reqs   []req
	// limits: < 0 is none.
	limitMilliCPU, limitMemBytes int64
	tainted                      bool // a NoSchedule taint dedicated=<name>
}

type shape struct {
	milliCPU, memBytes int64
	count              int
	selector           map[string]string // well-known labels only
	tolerates          bool              // tolerates every pool's taint
}

const (
	gib = int64(1) << 30
	mib = int64(1) << 20

	lCapacityType = "karpenter.sh/capacity-type"
	lInstanceType = "node.kubernetes.io/instance-type"
	lFamily       = "karpenter.k8s.aws/instance-family"
	lSize         = "karpenter.k8s.aws/instance-size"
	lCPU          = "karpenter.k8s.aws/instance-cpu"
	lMemory       = "karpenter.k8s.aws/instance-memory"
	lArch         = "kubernetes.io/arch"
	lZone         = "topology.kubernetes.io/zone"
)

var zones = []string{"us-east-1a", "us-east-1b", "us-east-1c"}

// families: name, architecture, GiB per vCPU, On-Demand USD per vCPU-hour
// (about us-east-1's list prices).
var families = []struct {
	name, arch string
	gibPerCPU  int64
	usdPerCPU  float64
}{
	{"c5", "amd64", 2, 0.0425}, {"m5", "amd64", 4, 0.048}, {"r5", "amd64", 8, 0.063},
	{"c6i", "amd64", 2, 0.0425}, {"m6i", "amd64", 4, 0.048}, {"m6g", "arm64", 4, 0.0385},
	{"c6g", "arm64", 2, 0.034}, {"r6g", "arm64", 8, 0.0504},
}

var sizes = []struct {
	name string
	vcpu int
	pods int64
}{
	{"large", 2, 29}, {"xlarge", 4, 58}, {"2xlarge", 8, 58}, {"4xlarge", 16, 234}, {"8xlarge", 32, 234},
}

// reserve is the EKS AMI's kube-reserved CPU (6% of the first core, 1% of
// the second, 0.5% of the next two, 0.25% above) and memory (11 MiB per pod
// + 255 MiB) plus the 100 MiB eviction threshold: the shape of what
// sim/eks computes; any fixed rule serves, both sides get the same numbers.
func reserve(vcpu int, pods int64) (milliCPU, memBytes int64) {
	m := int64(60)
	if vcpu >= 2 {
		m += 10
	}
	if vcpu >= 3 {
		m += 5 * int64(min(vcpu, 4)-2)
	}
	if vcpu > 4 {
		m += int64(float64(vcpu-4) * 2.5)
	}
	return m, (11*pods + 255 + 100) * mib
}

// genCase draws one case. Prices carry a random factor so that no two
// options cost the same (ties would make the cheapest-first order, and the
// 60-type cut, depend on each side's sort).
func genCase(seed uint64) kcase {
	r := rand.New(rand.NewPCG(seed, 0x6b61727063))
	c := kcase{seed: seed}
	// instance types: a random subset of families x sizes.
	nfam := 2 + r.IntN(len(families)-1)
	fams := r.Perm(len(families))[:nfam]
	slices.Sort(fams)
	maxSize := 2 + r.IntN(len(sizes)-1)
	for _, fi := range fams {
		f := families[fi]
		for si := range maxSize {
			s := sizes[si]
			if r.IntN(5) == 0 {
				continue
			}
			mem := int64(s.vcpu) * f.gibPerCPU * 1024
			rc, rm := reserve(s.vcpu, s.pods)
			t := itype{name: f.name + "." + s.name, family: f.name, size: s.name, arch: f.arch, vcpu: s.vcpu, memMiB: mem,
				maxPods: s.pods, allocMilliCPU: int64(s.vcpu)*1000 - rc, allocMemBytes: mem*mib - rm}
			od := f.usdPerCPU * float64(s.vcpu) * (0.97 + 0.06*r.Float64())
			for _, z := range zones {
				t.offerings = append(t.offerings, offering{zone: z, capacity: "on-demand", price: od * (0.995 + 0.01*r.Float64()), available: r.IntN(12) != 0})
				t.offerings = append(t.offerings, offering{zone: z, capacity: "spot", price: od * (0.25 + 0.4*r.Float64()), available: r.IntN(6) != 0})
			}
			c.types = append(c.types, t)
		}
	}
	if len(c.types) == 0 {
		return genCase(seed + 1<<32)
	}
	// NodePools: one to three, random requirements, weights and limits.
	np := 1 + r.IntN(3)
	for i := range np {
		p := pool{name: fmt.Sprintf("pool-%c", 'a'+r.IntN(4)), limitMilliCPU: -1, limitMemBytes: -1}
		for slices.ContainsFunc(c.pools, func(q pool) bool { return q.name == p.name }) {
			p.name += "x"
		}
		if r.IntN(2) == 0 {
			p.weight = int32(r.IntN(3) * 10)
		}
		switch r.IntN(3) {
		case 0:
			p.reqs = append(p.reqs, req{lCapacityType, "In", []string{"on-demand"}})
		case 1:
			p.reqs = append(p.reqs, req{lCapacityType, "In", []string{"spot"}})
		default:
			p.reqs = append(p.reqs, req{lCapacityType, "In", []string{"spot", "on-demand"}})
		}
		if r.IntN(2) == 0 {
			p.reqs = append(p.reqs, req{lArch, "In", []string{[]string{"amd64", "arm64"}[r.IntN(2)]}})
		}
		if r.IntN(3) == 0 {
			var fs []string
			for _, fi := range fams {
				if r.IntN(2) == 0 {
					fs = append(fs, families[fi].name)
				}
			}
			if len(fs) > 0 {
				p.reqs = append(p.reqs, req{lFamily, []string{"In", "NotIn"}[r.IntN(2)], fs})
			}
		}
		if r.IntN(3) == 0 {
			zs := slices.Clone(zones[:1+r.IntN(len(zones))])
			p.reqs = append(p.reqs, req{lZone, "In", zs})
		}
		if r.IntN(4) == 0 {
			p.reqs = append(p.reqs, req{lCPU, []string{"Gt", "Lt"}[r.IntN(2)], []string{strconv.Itoa([]int{2, 4, 8}[r.IntN(3)])}})
		}
		if r.IntN(3) == 0 {
			p.limitMilliCPU = int64(8+r.IntN(120)) * 1000
		}
		if r.IntN(5) == 0 {
			p.limitMemBytes = int64(32+r.IntN(400)) * gib
		}
		p.tainted = i > 0 && r.IntN(3) == 0
		c.pools = append(c.pools, p)
	}
	if r.IntN(2) == 0 {
		c.daemonMilliCPU, c.daemonMemBytes = int64(50+r.IntN(300)), int64(64+r.IntN(512))*mib
	}
	// pending pods: one to six shapes.
	ns := 1 + r.IntN(6)
	cpus := []int64{100, 250, 500, 750, 1000, 1500, 2000, 3000, 3500, 6000}
	mems := []int64{128, 256, 512, 1024, 1536, 2048, 4096, 6144, 8192, 12288}
	for range ns {
		s := shape{milliCPU: cpus[r.IntN(len(cpus))], memBytes: mems[r.IntN(len(mems))] * mib, count: 1 + r.IntN(40), tolerates: r.IntN(3) == 0}
		if r.IntN(5) == 0 {
			s.selector = map[string]string{}
			switch r.IntN(4) {
			case 0:
				s.selector[lZone] = zones[r.IntN(len(zones))]
			case 1:
				s.selector[lCapacityType] = []string{"spot", "on-demand"}[r.IntN(2)]
			case 2:
				s.selector[lArch] = []string{"amd64", "arm64"}[r.IntN(2)]
			default:
				s.selector[lFamily] = families[fams[r.IntN(len(fams))]].name
			}
		}
		c.shapes = append(c.shapes, s)
	}
	return c
}

func (c kcase) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "seed %d: %d types; daemon %dm/%dMi;", c.seed, len(c.types), c.daemonMilliCPU, c.daemonMemBytes/mib)
	for _, p := range c.pools {
		fmt.Fprintf(&b, " pool %s w%d reqs%v limits(%d m, %d B) tainted=%v;", p.name, p.weight, p.reqs, p.limitMilliCPU, p.limitMemBytes, p.tainted)
	}
	for i, s := range c.shapes {
		fmt.Fprintf(&b, " shape%d %dm/%dMi x%d sel%v tol=%v;", i, s.milliCPU, s.memBytes/mib, s.count, s.selector, s.tolerates)
	}
	return b.String()
}
