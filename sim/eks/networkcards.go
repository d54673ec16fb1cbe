package eks

import (
	"strings"

	"github.com/fleetsim/fleetsim/sim/capacity/catalog"
)

// DefaultCardENIs is how many ENIs the default network card of type t takes:
// the ENIs the VPC CNI, the calculator and nodeadm count ("Only one network
// card is used for pods", [calculator]; nodeadm's util.InstanceInfo
// DefaultMaxENIs is NetworkCards[DefaultNetworkCardIndex].MaximumNetworkInterfaces).
//
// catalog.InstanceType.MaxENIs is EC2's total over all network cards. The two
// differ only for the types with several cards; multiCardDefaultENIs holds the
// default card's figure for those in the catalog, from nodeadm's
// instance-info.jsonl at 81fec2e8. With it MaxPods equals the catalog's
// eks_max_pods column (and eni-max-pods.txt) for every type
// (TestMaxPodsAgreesWithTheCatalogEKSMaxPodsColumn fails on a catalog
// refresh that brings a new multi-card type).
func DefaultCardENIs(t catalog.InstanceType) int {
	if n, ok := multiCardDefaultENIs(t.Name); ok {
		return min(n, t.MaxENIs)
	}
	return t.MaxENIs
}

// multiCardDefaultENIs returns the default network card's ENIs for the
// catalog's types with more than one network card.
func multiCardDefaultENIs(name string) (int, bool) {
	switch name {
	case "p5.48xlarge":
		return 2, true
	case "p5en.48xlarge", "p6-b200.48xlarge", "p6-b300.48xlarge":
		return 4, true
	case "trn1.32xlarge", "trn1n.32xlarge":
		return 5, true
	case "c6in.32xlarge", "c6in.metal", "m6idn.32xlarge", "m6idn.metal", "m6in.32xlarge", "m6in.metal",
		"r6idn.32xlarge", "r6idn.metal", "r6in.32xlarge", "r6in.metal",
		"u7in-16tb.224xlarge", "u7in-24tb.224xlarge", "u7in-32tb.224xlarge":
		return 8, true
	case "g6e.24xlarge", "g6e.48xlarge", "g7e.24xlarge", "g7e.48xlarge":
		return 10, true
	case "c8gb.48xlarge", "c8gb.metal-48xl", "c8gn.48xlarge", "c8gn.metal-48xl",
		"c8ib.96xlarge", "c8ib.metal-96xl", "c8in.96xlarge", "c8in.metal-96xl", "g7.48xlarge",
		"m8gb.48xlarge", "m8gb.metal-48xl", "m8gn.48xlarge", "m8gn.metal-48xl",
		"m8ib.96xlarge", "m8ib.metal-96xl", "m8idb.96xlarge", "m8idb.metal-96xl",
		"m8idn.96xlarge", "m8idn.metal-96xl", "m8in.96xlarge", "m8in.metal-96xl",
		"r8gb.48xlarge", "r8gb.metal-48xl", "r8gn.48xlarge", "r8gn.metal-48xl",
		"r8ib.96xlarge", "r8ib.metal-96xl", "r8idb.96xlarge", "r8idb.metal-96xl",
		"r8idn.96xlarge", "r8idn.metal-96xl", "r8in.96xlarge", "r8in.metal-96xl":
		return 12, true
	case "p4d.24xlarge", "p4de.24xlarge":
		return 15, true
	}
	return 0, false
}

// Nitro reports whether EC2 describes type t with hypervisor "nitro", the
// only case in which the calculator applies prefix delegation ([calculator]
// IS_NITRO). Bare-metal types report no hypervisor, and the Xen families
// below report "xen"; every other type in the catalog is Nitro.
// catalog.InstanceType does not carry the hypervisor, so this rebuilds it
// from the family and size; TestNitroMatchesTheCatalogHypervisorColumn checks
// it against the catalog file's hypervisor column for every type.
func Nitro(t catalog.InstanceType) bool {
	if strings.HasPrefix(t.Size, "metal") {
		return false
	}
	switch t.Family {
	case "c1", "c3", "c4", "d2", "h1", "i2", "i3", "m1", "m2", "m3", "m4", "r3", "r4", "t1", "t2", "x1", "x1e":
		return false
	}
	return true
}
