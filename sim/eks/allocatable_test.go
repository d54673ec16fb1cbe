package eks

import (
	"encoding/csv"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/sim/capacity/catalog"
)

// lookup returns the catalog's type name.
func lookup(t *testing.T, name string) catalog.InstanceType {
	t.Helper()
	it, ok := catalog.Default().Lookup(name)
	require.True(t, ok, "%s is not in the catalog", name)
	return it
}

// catalogColumn reads one column of the catalog file the embedded catalog is
// built from (catalog.InstanceType does not carry eks_max_pods or
// hypervisor), by type name.
func catalogColumn(t *testing.T, column string) map[string]string {
	t.Helper()
	f, err := os.Open("../capacity/catalog/ec2-us-east-1.csv")
	require.NoError(t, err)
	defer f.Close()
	r := csv.NewReader(f)
	r.Comment = '#'
	rows, err := r.ReadAll()
	require.NoError(t, err)
	require.NotEmpty(t, rows)
	name, col := -1, -1
	for i, h := range rows[0] {
		switch h {
		case "instance_type":
			name = i
		case column:
			col = i
		}
	}
	require.True(t, name >= 0 && col >= 0, "no column %q", column)
	out := map[string]string{}
	for _, row := range rows[1:] {
		out[row[name]] = row[col]
	}
	return out
}

// Catalog rows (ENIs, IPv4 per ENI, vCPU): m5.large 3, 10, 2; t3.medium 3, 6,
// 2; c5.18xlarge 15, 50, 72 (Nitro, one network card each).
func TestMaxPodsFollowsTheENIFormulaAndTheCalculatorWithPrefixDelegation(t *testing.T) {
	tests := []struct {
		name           string
		enis, ips      int
		want, wantPD   int
		ceilingApplied bool
	}{
		// 3 × (10 − 1) + 2 = 29; PD: 3 × (9 × 16) + 2 = 434 -> 110 (2 vCPUs).
		{name: "m5.large", enis: 3, ips: 10, want: 29, wantPD: 110},
		// 3 × (6 − 1) + 2 = 17; PD: 3 × (5 × 16) + 2 = 242 -> 110.
		{name: "t3.medium", enis: 3, ips: 6, want: 17, wantPD: 110},
		// 15 × (50 − 1) + 2 = 737 (eni-max-pods.txt's line); PD: 15 × 49 × 16 + 2
		// = 11762 -> 250 (72 vCPUs > 30).
		{name: "c5.18xlarge", enis: 15, ips: 50, want: 737, wantPD: 250},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			it := lookup(t, tc.name)
			require.Equal(t, tc.enis, it.MaxENIs, "the catalog row the comment computes from")
			require.Equal(t, tc.ips, it.IPv4PerENI)
			assert.Equal(t, tc.want, MaxPods(it))
			assert.Equal(t, tc.wantPD, CalculatorMaxPods(it, CNI{PrefixDelegation: true}))
		})
	}
}

func TestTheCalculatorCapsEvenWithoutPrefixDelegation(t *testing.T) {
	// [calculator] echoes min(ceiling, max_pods) unless --show-max-allowed:
	// c5.18xlarge 737 -> 250, while eni-max-pods.txt and nodeadm keep 737.
	assert.Equal(t, 250, CalculatorMaxPods(lookup(t, "c5.18xlarge"), CNI{}))
	assert.Equal(t, 737, MaxPods(lookup(t, "c5.18xlarge")))
	// Below the ceiling the two agree.
	assert.Equal(t, 29, CalculatorMaxPods(lookup(t, "m5.large"), CNI{}))
}

func TestTheCeilingRisesAbove30VCPUs(t *testing.T) {
	// `"$CPU_COUNT" -gt 30`: 30 vCPUs keep 110, 31 get 250. No catalog type has
	// exactly 30 vCPUs, so the edge is a made-up type: 8 ENIs × 29 × 16 + 2 =
	// 3714 prefix-delegated addresses, well above both ceilings.
	for _, tc := range []struct {
		vcpu, want int
	}{{1, 110}, {30, 110}, {31, 250}, {192, 250}} {
		it := catalog.InstanceType{Name: "x.test", Family: "x", Size: "test", VCPU: tc.vcpu, MaxENIs: 8, IPv4PerENI: 30}
		assert.Equal(t, tc.want, MaxPodsCeiling(tc.vcpu), "%d vCPUs", tc.vcpu)
		assert.Equal(t, tc.want, CalculatorMaxPods(it, CNI{PrefixDelegation: true}), "%d vCPUs", tc.vcpu)
	}
}

func TestPrefixDelegationAppliesOnlyToNitroTypes(t *testing.T) {
	// m4.large is Xen (2 ENIs, 10 IPv4 each): the calculator falls back to
	// secondary IPs, 2 × 9 + 2 = 20, under the 110 ceiling.
	m4 := lookup(t, "m4.large")
	require.False(t, Nitro(m4))
	assert.Equal(t, 20, CalculatorMaxPods(m4, CNI{PrefixDelegation: true}))
	// t2.medium (Xen) keeps its 17; t3.medium (Nitro, same ENIs) gets 110.
	assert.Equal(t, 17, CalculatorMaxPods(lookup(t, "t2.medium"), CNI{PrefixDelegation: true}))
	assert.Equal(t, 110, CalculatorMaxPods(lookup(t, "t3.medium"), CNI{PrefixDelegation: true}))
}

func TestCustomNetworkingAndMaxENIsShrinkTheENIsForPods(t *testing.T) {
	m5 := lookup(t, "m5.large") // 3 ENIs, 10 IPv4 each
	tests := []struct {
		name string
		cni  CNI
		want int
	}{
		{name: "custom networking: (3 − 1) × 9 + 2 = 20", cni: CNI{CustomNetworking: true}, want: 20},
		{name: "--cni-max-eni 1: 1 × 9 + 2 = 11", cni: CNI{MaxENIs: 1}, want: 11},
		{name: "--cni-max-eni above the type's 3 changes nothing: 29", cni: CNI{MaxENIs: 8}, want: 29},
		{name: "both: (1 − 1) × 9 + 2 = 2", cni: CNI{MaxENIs: 1, CustomNetworking: true}, want: 2},
		{name: "prefix delegation and custom networking: 2 × 144 + 2 = 290 -> 110", cni: CNI{PrefixDelegation: true, CustomNetworking: true}, want: 110},
		{name: "prefix delegation on 1 ENI: 1 × 144 + 2 = 146 -> 110", cni: CNI{PrefixDelegation: true, MaxENIs: 1}, want: 110},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, CalculatorMaxPods(m5, tc.cni))
		})
	}
}

// TestMaxPodsAgreesWithTheCatalogEKSMaxPodsColumn compares MaxPods with the
// catalog file's eks_max_pods (the VPC CNI default from Karpenter's generated
// reference table, which equals eni-max-pods.txt for every type it lists) for
// every type, and logs where the plain formula over catalog.MaxENIs would
// disagree: the types with several network cards, whose MaxENIs counts them
// all while EKS uses the default card's (DefaultCardENIs).
func TestMaxPodsAgreesWithTheCatalogEKSMaxPodsColumn(t *testing.T) {
	c := catalog.Default()
	column := catalogColumn(t, "eks_max_pods")
	require.Len(t, column, c.Len())
	var naive []string
	for _, name := range c.Names() {
		it, _ := c.Lookup(name)
		want, err := strconv.Atoi(column[name])
		require.NoError(t, err, name)
		assert.Equal(t, want, MaxPods(it), "%s: eks_max_pods %d", name, want)
		if formula := it.MaxENIs*(it.IPv4PerENI-1) + 2; formula != want {
			_, listed := multiCardDefaultENIs(name)
			assert.True(t, listed, "%s: the formula over MaxENIs gives %d, eks_max_pods %d, and it is not a known multi-card type", name, formula, want)
			naive = append(naive, name+" "+strconv.Itoa(formula)+" vs "+strconv.Itoa(want))
		}
	}
	t.Logf("%d of %d types: the formula over catalog.MaxENIs disagrees with eks_max_pods (several network cards; eks_max_pods wins):\n%s",
		len(naive), c.Len(), strings.Join(naive, "\n"))
	assert.Len(t, naive, 58, "the multi-card types of the 2026-08 catalog")
}

func TestNitroMatchesTheCatalogHypervisorColumn(t *testing.T) {
	c := catalog.Default()
	column := catalogColumn(t, "hypervisor")
	for _, name := range c.Names() {
		it, _ := c.Lookup(name)
		assert.Equal(t, column[name] == "nitro", Nitro(it), "%s: hypervisor %q", name, column[name])
	}
}

func TestKubeReservedCPUTakesDecreasingSharesOfEachCore(t *testing.T) {
	tests := []struct {
		name string
		vcpu int
		want int64
	}{
		{name: "1 vCPU: 6% of 1000m = 60m", vcpu: 1, want: 60},
		{name: "2 vCPUs: 60 + 1% of 1000m = 70m", vcpu: 2, want: 70},
		{name: "3 vCPUs: 70 + 0.5% of 1000m = 75m", vcpu: 3, want: 75},
		{name: "4 vCPUs: 70 + 0.5% of 2000m = 80m", vcpu: 4, want: 80},
		{name: "5 vCPUs: 80 + 0.25% of 1000m = 82.5 rounded down = 82m", vcpu: 5, want: 82},
		{name: "8 vCPUs: 80 + 0.25% of 4000m = 90m", vcpu: 8, want: 90},
		{name: "72 vCPUs (c5.18xlarge): 80 + 0.25% of 68000m = 250m", vcpu: 72, want: 250},
		{name: "96 vCPUs: 80 + 0.25% of 92000m = 310m", vcpu: 96, want: 310},
		{name: "0 vCPUs: nothing", vcpu: 0, want: 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, KubeReservedCPUMilli(tc.vcpu))
		})
	}
}

func TestKubeReservedMemoryIs11MiBPerPodPlus255(t *testing.T) {
	tests := []struct {
		name string
		pods int
		want int64
	}{
		{name: "t3.medium, 17 pods: 187 + 255", pods: 17, want: 442},
		{name: "m5.large, 29 pods: 319 + 255", pods: 29, want: 574},
		{name: "nodeadm e2e custom-max-pods-expression, 44 pods: 739Mi", pods: 44, want: 739},
		{name: "nodeadm e2e kubelet-config-max-pods, 60 pods: 915Mi", pods: 60, want: 915},
		{name: "110 pods: 1210 + 255", pods: 110, want: 1465},
		{name: "250 pods: 2750 + 255", pods: 250, want: 3005},
		{name: "c5.18xlarge, 737 pods: 8107 + 255", pods: 737, want: 8362},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, KubeReservedMemoryMiB(tc.pods))
		})
	}
}

func TestDefaultKubeletIsTheAMIs(t *testing.T) {
	k := DefaultKubelet(lookup(t, "m5.large"))
	assert.Equal(t, Kubelet{MaxPods: 29, ReservedPods: 29, EvictionHardMemoryBytes: 100 << 20}, k)
}

// Allocatable = capacity − kube-reserved − system-reserved (none) − 100 MiB
// eviction (memory only). Capacities: m5.large 2 vCPU / 8192 MiB, t3.medium
// 2 / 4096, c5.18xlarge 72 / 147456.
func TestAllocatableIsCapacityLessReservedAndEviction(t *testing.T) {
	prefixDelegated := func(it catalog.InstanceType) Kubelet {
		// nodeadm's maxPodsExpression: maxPods and the reserve both follow.
		k := DefaultKubelet(it)
		k.MaxPods = CalculatorMaxPods(it, CNI{PrefixDelegation: true})
		k.ReservedPods = k.MaxPods
		return k
	}
	tests := []struct {
		name      string
		typ       string
		kubelet   func(catalog.InstanceType) Kubelet
		milliCPU  int64
		memoryMiB int64
		pods      int
	}{
		// CPU 2000 − 70; memory 8192 − (11 × 29 + 255 = 574) − 100.
		{name: "m5.large", typ: "m5.large", kubelet: DefaultKubelet, milliCPU: 1930, memoryMiB: 7518, pods: 29},
		// memory 8192 − (11 × 110 + 255 = 1465) − 100.
		{name: "m5.large with prefix delegation", typ: "m5.large", kubelet: prefixDelegated, milliCPU: 1930, memoryMiB: 6627, pods: 110},
		// memory 4096 − (11 × 17 + 255 = 442) − 100.
		{name: "t3.medium", typ: "t3.medium", kubelet: DefaultKubelet, milliCPU: 1930, memoryMiB: 3554, pods: 17},
		// memory 4096 − 1465 − 100.
		{name: "t3.medium with prefix delegation", typ: "t3.medium", kubelet: prefixDelegated, milliCPU: 1930, memoryMiB: 2531, pods: 110},
		// CPU 72000 − 250; memory 147456 − (11 × 737 + 255 = 8362) − 100.
		{name: "c5.18xlarge", typ: "c5.18xlarge", kubelet: DefaultKubelet, milliCPU: 71750, memoryMiB: 138994, pods: 737},
		// memory 147456 − (11 × 250 + 255 = 3005) − 100.
		{name: "c5.18xlarge with prefix delegation", typ: "c5.18xlarge", kubelet: prefixDelegated, milliCPU: 71750, memoryMiB: 144351, pods: 250},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			it := lookup(t, tc.typ)
			got := Allocatable(it, tc.kubelet(it))
			assert.Equal(t, Resources{MilliCPU: tc.milliCPU, MemoryBytes: tc.memoryMiB * MiB, Pods: tc.pods}, got.Allocatable)
			assert.Equal(t, Resources{MilliCPU: int64(it.VCPU) * 1000, MemoryBytes: it.MemoryMiB * MiB, Pods: tc.pods}, got.Capacity)
			assert.Equal(t, Resources{MemoryBytes: 100 * MiB}, got.EvictionHard)
			assert.Equal(t, Resources{}, got.SystemReserved)
		})
	}
}

func TestAMaxPodsOverrideKeepsTheReserveOfTheAMIsFigure(t *testing.T) {
	// AL2 --max-pods or nodeadm kubelet.config.maxPods: 110 pods, but
	// kube-reserved memory stays 11 × 29 + 255 = 574 MiB: 8192 − 574 − 100.
	it := lookup(t, "m5.large")
	got := Allocatable(it, DefaultKubelet(it).WithMaxPods(110))
	assert.Equal(t, Resources{MilliCPU: 1930, MemoryBytes: 7518 * MiB, Pods: 110}, got.Allocatable)
	assert.Equal(t, Resources{MilliCPU: 70, MemoryBytes: 574 * MiB}, got.KubeReserved)
}

func TestSystemReservedIsSubtractedToo(t *testing.T) {
	// 2000 − 70 − 100 = 1830m; 8192 − 574 − 256 − 100 = 7262 MiB.
	it := lookup(t, "m5.large")
	k := DefaultKubelet(it)
	k.SystemReserved = Resources{MilliCPU: 100, MemoryBytes: 256 * MiB, Pods: 7}
	got := Allocatable(it, k)
	assert.Equal(t, Resources{MilliCPU: 1830, MemoryBytes: 7262 * MiB, Pods: 29}, got.Allocatable)
	assert.Equal(t, Resources{MilliCPU: 100, MemoryBytes: 256 * MiB}, got.SystemReserved, "pods are not reserved")
}

func TestAllocatableNeverGoesNegative(t *testing.T) {
	// t3.nano: 2 vCPU, 512 MiB, 4 pods (2 × 1 + 2); reserve 299 MiB + 100 MiB
	// eviction leave 113 MiB, and a system reserve larger than the rest floors
	// both at 0.
	it := lookup(t, "t3.nano")
	assert.Equal(t, Resources{MilliCPU: 1930, MemoryBytes: 113 * MiB, Pods: 4}, Allocatable(it, DefaultKubelet(it)).Allocatable)
	k := DefaultKubelet(it)
	k.SystemReserved = Resources{MilliCPU: 4000, MemoryBytes: 1 << 30}
	assert.Equal(t, Resources{Pods: 4}, Allocatable(it, k).Allocatable)
}
