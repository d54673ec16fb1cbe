package ecs

import (
	"cmp"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/fleetsim/fleetsim/sim/capacity"
	"github.com/fleetsim/fleetsim/sim/capacity/catalog"
)

// ManagedInstancesConfig is an Amazon ECS Managed Instances capacity
// provider (CreateCapacityProvider's managedInstancesProvider): ECS chooses,
// launches, consolidates and replaces the instances of its group, a direct
// capacity group (capacity.GroupConfig.Direct) whose InstanceTypes are the
// types the instance requirements allow, cheapest first (ManagedInstanceTypes).
// docs/semantics/ecs-managed-instances.md has the sources; each duration
// says whether AWS documents it.
type ManagedInstancesConfig struct {
	// Purchase is instanceLaunchTemplate.capacityOptionType: ON_DEMAND
	// (AWS's default) or SPOT.
	Purchase capacity.PurchaseOption
	// ScaleInAfter is infrastructureOptimization.scaleInAfter: how long an
	// idle or underutilized instance waits before ECS optimizes it away
	// (AWS: 0 to 3600 s; unset: "ECS Managed Instances default
	// configuration", undocumented, fleetsim's choice 300 s).
	// OptimizationOff is scaleInAfter = -1: no infrastructure optimization.
	ScaleInAfter    time.Duration
	OptimizationOff bool
	// DrainAfter and TerminateAfter are the patching lifecycle. AWS
	// ("Patching in Amazon ECS Managed Instances"): draining starts at day
	// 14 from the instance's launch, termination no later than day 21.
	DrainAfter, TerminateAfter time.Duration
	// EventWindow is an EC2 event window the instances are tagged into:
	// maintenance drains at its latest start before DrainAfter (AWS: "may
	// result in earlier draining than the default 14-day period"). Nil: none.
	EventWindow *EventWindow
	// ManagementFeePercent prices the management fee per instance-hour as a
	// percentage of the instance type's On-Demand price (choice: 12, AWS's
	// pricing page example of $0.037 an hour for a c6a.2xlarge, whose
	// On-Demand price is $0.306; AWS lists one fee per instance type).
	ManagementFeePercent float64
}

// EventWindow is a weekly EC2 event window (CreateInstanceEventWindow's
// TimeRanges): it opens every week on Weekday at Start (UTC, from
// midnight). The drain starts at its opening; how long it stays open does
// not matter to fleetsim, whose drains do not pause outside it (choice).
type EventWindow struct {
	Weekday time.Weekday
	Start   time.Duration
}

// ManagementFeeUSDPerHour is the management fee of one instance-hour of a
// type whose On-Demand price is onDemand.
func (m *ManagedInstancesConfig) ManagementFeeUSDPerHour(onDemand float64) float64 {
	return onDemand * m.ManagementFeePercent / 100
}

// maintenanceDrain is when an instance launched at launched (calendar
// time) starts draining for patching: DrainAfter later, or the latest start
// of the event window before then (but after the launch).
func (m *ManagedInstancesConfig) maintenanceDrain(launched time.Time) time.Duration {
	due := launched.Add(m.DrainAfter)
	if m.EventWindow == nil {
		return m.DrainAfter
	}
	ew := m.EventWindow
	day := time.Date(due.Year(), due.Month(), due.Day(), 0, 0, 0, 0, time.UTC)
	back := (int(day.Weekday()) - int(ew.Weekday) + 7) % 7
	open := day.AddDate(0, 0, -back).Add(ew.Start)
	if open.After(due) {
		open = open.AddDate(0, 0, -7)
	}
	if !open.After(launched) {
		return m.DrainAfter // no window between the launch and day 14
	}
	return open.Sub(launched)
}

// InstanceRequirements is InstanceRequirementsRequest as fleetsim models it:
// the attributes its catalog knows. AWS: vCpuCount and memoryMiB are
// required; several values of one attribute match any of them; the
// attributes together must all match. Max 0 is no maximum.
type InstanceRequirements struct {
	VCPUMin, VCPUMax                         int
	MemoryMiBMin, MemoryMiBMax               int64
	MemoryGiBPerVCPUMin                      float64
	MemoryGiBPerVCPUMax                      float64
	CPUManufacturers                         []string // intel, amd, amazon-web-services
	InstanceGenerations                      []string // current, previous
	AllowedInstanceTypes                     []string // with * wildcards
	ExcludedInstanceTypes                    []string
	BurstablePerformance                     string // included, required, excluded (EC2's default: excluded)
	BareMetal                                string // likewise
	AcceleratorTypes                         []string
	AcceleratorCountMin, AcceleratorCountMax int
	AcceleratorCountSet                      bool
}

// managedFamilies are the instance families Amazon ECS Managed Instances
// supports (ECS Developer Guide, "Amazon ECS Managed Instances instance
// types"), lower case, by category.
var managedFamilies = map[string][]string{
	"compute": {"c5", "c5a", "c5ad", "c5d", "c5n", "c6a", "c6g", "c6gd", "c6i", "c6id", "c6in", "c7a", "c7g", "c7gd", "c7gn", "c7i",
		"c7i-flex", "c8a", "c8g", "c8gb", "c8gd", "c8gn", "c8i", "c8ib", "c8id", "c8i-flex", "c8in", "c8ine"},
	"general": {"m5", "m5a", "m5ad", "m5d", "m5dn", "m5n", "m5zn", "m6a", "m6g", "m6gd", "m6i", "m6id", "m6idn", "m6in", "m7a", "m7g",
		"m7gd", "m7i", "m7i-flex", "m8a", "m8azn", "m8g", "m8gb", "m8gd", "m8gn", "m8i", "m8ib", "m8id", "m8idb", "m8idn", "m8i-flex",
		"m8in", "m8ine", "m9g", "m9gd", "t3", "t3a", "t4g"},
	"memory": {"r5", "r5a", "r5ad", "r5b", "r5d", "r5dn", "r5n", "r6a", "r6g", "r6gd", "r6i", "r6id", "r6idn", "r6in", "r7a", "r7g",
		"r7gd", "r7i", "r7iz", "r8a", "r8g", "r8gb", "r8gd", "r8gn", "u-3tb1", "u7i-6tb", "u7i-8tb", "u7i-12tb", "u7in-24tb",
		"u7in-32tb", "x2gd", "x2idn", "x2iedn", "x2iezn", "x8g", "z1d"},
	"storage": {"d3", "d3en", "i3en", "i4g", "i4i", "i7i", "i7ie", "i8g", "i8ge", "im4gn", "is4gen"},
	"accelerated": {"dl1", "g4ad", "g4dn", "g5", "g5g", "g6", "g6e", "g6f", "g7e", "gr6", "gr6f", "inf1", "inf2", "p3dn", "p4d",
		"p4de", "p5", "p5en", "p6-b200", "p6-b300", "trn1"},
	"hpc": {"hpc6a", "hpc6id", "hpc7a", "hpc7g"},
}

// previousGeneration are the EC2 families AWS calls previous generation
// (choice: the families of EC2's "Previous generation instances" list that
// fleetsim's catalog may hold; none of them is one Managed Instances
// supports).
var previousGeneration = []string{"a1", "c1", "c3", "c4", "d2", "g2", "g3", "g3s", "i2", "i3", "m1", "m2", "m3", "m4", "p2", "p3",
	"r3", "r4", "t1", "t2", "x1", "x1e"}

// ManagedFamily reports whether Managed Instances supports family, and
// whether it is general purpose (AWS's default selection).
func ManagedFamily(family string) (supported, general bool) {
	for cat, fams := range managedFamilies {
		if slices.Contains(fams, family) {
			return true, cat == "general"
		}
	}
	return false, false
}

// CPUManufacturer is an instance type's CPU maker as InstanceRequirements
// names it: amazon-web-services for Graviton (arm64), amd for the families
// whose attribute letters hold an "a" (m6a, c5ad, t3a, m8azn), intel
// otherwise (choice: EC2's naming convention; the catalog has no
// manufacturer column).
func CPUManufacturer(it catalog.InstanceType) string {
	if it.Arch == "arm64" {
		return "amazon-web-services"
	}
	fam := it.Family
	if i := strings.IndexFunc(fam, func(r rune) bool { return r >= '0' && r <= '9' }); i >= 0 {
		rest := strings.TrimLeft(fam[i:], "0123456789")
		rest, _, _ = strings.Cut(rest, "-")
		if strings.Contains(rest, "a") {
			return "amd"
		}
	}
	return "intel"
}

// Burstable reports a burstable performance type (T2, T3, T3a, T4g).
func Burstable(it catalog.InstanceType) bool { return strings.HasPrefix(it.Family, "t") }

func bareMetal(it catalog.InstanceType) bool { return strings.Contains(it.Size, "metal") }

func generation(it catalog.InstanceType) string {
	if slices.Contains(previousGeneration, it.Family) {
		return "previous"
	}
	return "current"
}

// includeRule applies an included/required/excluded attribute.
func includeRule(rule string, has bool) bool {
	switch rule {
	case "required":
		return has
	case "included":
		return true
	}
	return !has // excluded, EC2's default
}

// matchesAny reports whether name matches one of the patterns (AWS: "*"
// wildcards, as m6*.* or c6i.*).
func matchesAny(name string, patterns []string) bool {
	for _, p := range patterns {
		if ok, _ := path.Match(p, name); ok {
			return true
		}
	}
	return false
}

// Matches reports whether it meets the requirements. A nil receiver is
// AWS's default selection: the general purpose families.
func (r *InstanceRequirements) Matches(it catalog.InstanceType) bool {
	supported, general := ManagedFamily(it.Family)
	// AWS: Managed Instances "only creates instances" with more than one
	// vCPU, and not of nano or micro size.
	if !supported || it.VCPU < 2 || it.Size == "nano" || it.Size == "micro" {
		return false
	}
	if r == nil {
		// AWS's default: "the most cost-optimized general-purpose" types;
		// burstable and bare metal left out as EC2's attribute defaults do.
		return general && !Burstable(it) && !bareMetal(it)
	}
	mem := it.MemoryMiB
	switch {
	case it.VCPU < r.VCPUMin || (r.VCPUMax > 0 && it.VCPU > r.VCPUMax):
		return false
	case mem < r.MemoryMiBMin || (r.MemoryMiBMax > 0 && mem > r.MemoryMiBMax):
		return false
	case len(r.CPUManufacturers) > 0 && !slices.Contains(r.CPUManufacturers, CPUManufacturer(it)):
		return false
	case len(r.InstanceGenerations) > 0 && !slices.Contains(r.InstanceGenerations, generation(it)):
		return false
	case len(r.AllowedInstanceTypes) > 0 && !matchesAny(it.Name, r.AllowedInstanceTypes):
		return false
	case matchesAny(it.Name, r.ExcludedInstanceTypes):
		return false
	case !includeRule(cmp.Or(r.BurstablePerformance, "excluded"), Burstable(it)):
		return false
	case !includeRule(cmp.Or(r.BareMetal, "excluded"), bareMetal(it)):
		return false
	}
	perVCPU := float64(mem) / 1024 / float64(it.VCPU)
	if perVCPU < r.MemoryGiBPerVCPUMin || (r.MemoryGiBPerVCPUMax > 0 && perVCPU > r.MemoryGiBPerVCPUMax) {
		return false
	}
	if len(r.AcceleratorTypes) > 0 && !(slices.Contains(r.AcceleratorTypes, "gpu") && it.GPUs > 0) {
		return false // the catalog knows NVIDIA GPUs only
	}
	if r.AcceleratorCountSet && (it.GPUs < r.AcceleratorCountMin || (r.AcceleratorCountMax > 0 && it.GPUs > r.AcceleratorCountMax)) {
		return false
	}
	return true
}

// ManagedInstanceTypes is the instance types of types that r allows (nil:
// AWS's default selection), cheapest first (ties by name): the candidates
// ECS launches from.
func ManagedInstanceTypes(types []catalog.InstanceType, r *InstanceRequirements) []catalog.InstanceType {
	var out []catalog.InstanceType
	for _, it := range types {
		if it.PriceUSDPerHour > 0 && r.Matches(it) {
			out = append(out, it)
		}
	}
	slices.SortStableFunc(out, func(a, b catalog.InstanceType) int {
		return cmp.Or(cmp.Compare(a.PriceUSDPerHour, b.PriceUSDPerHour), strings.Compare(a.Name, b.Name))
	})
	return out
}
