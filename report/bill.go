package report

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/sim/capacity"
	"github.com/fleetsim/fleetsim/sim/capacity/catalog"
	"github.com/fleetsim/fleetsim/sim/des"
	"github.com/fleetsim/fleetsim/sim/ecs"
)

// Bill is the run's bill with its commitments applied, hour by hour, as AWS
// applies them (docs/semantics/billing.md): Reserved Instances first, then
// EC2 Instance Savings Plans, then Compute Savings Plans, each Savings Plan
// to the usage with the highest savings percentage first. Spot usage is
// never covered. The money splits into what the commitments cost (paid
// every hour, used or not), the usage left at On-Demand, and Spot.
type Bill struct {
	OperatingSystem     string `json:"operating_system"`
	FargateArchitecture string `json:"fargate_cpu_architecture"`
	TotalUSD            USD    `json:"total_usd"`
	ReservedInstanceUSD USD    `json:"reserved_instances_usd"` // RI fees
	SavingsPlanUSD      USD    `json:"savings_plans_usd"`      // Savings Plan commitments
	OnDemandUSD         USD    `json:"on_demand_usd"`          // eligible usage no commitment covered
	SpotUSD             USD    `json:"spot_usd"`               // EC2 Spot and Fargate Spot
	// EBSUSD and PublicIPv4USD are the lines beyond compute ([billing]
	// ebs_root_volume_gb, public_ipv4_per_*), which no commitment covers.
	EBSUSD        USD `json:"ebs_gp3_usd,omitempty"`
	PublicIPv4USD USD `json:"public_ipv4_usd,omitempty"`
	// ManagedInstancesUSD is the ECS Managed Instances management fee
	// (managedinstances.go), in TotalUSD, covered by no commitment.
	ManagedInstancesUSD USD `json:"ecs_managed_instances_management_usd,omitempty"`
	// FargateStorageUSD is Fargate ephemeral storage above the 20 GB each
	// task includes (a task definition's ephemeralStorage).
	FargateStorageUSD USD `json:"fargate_ephemeral_storage_usd,omitempty"`
	// ECRUSD is Amazon ECR's storage of the scenario's images and its
	// cross-region data transfer ([ecr], ecr.go), covered by no commitment.
	ECRUSD USD `json:"ecr_usd,omitempty"`
	// EnterpriseDiscountUSD is taken off the sum of the above (choice:
	// after the commitments); TotalUSD is net of it.
	EnterpriseDiscountUSD USD `json:"enterprise_discount_usd,omitempty"`
	// EligibleUSD is the On-Demand value of the usage commitments could
	// cover (On-Demand EC2 and Fargate): what it would cost with none.
	EligibleUSD    USD `json:"eligible_on_demand_usd"`
	CoveredByRIUSD USD `json:"covered_by_reserved_instances_usd"` // On-Demand value
	CoveredBySPUSD USD `json:"covered_by_savings_plans_usd"`      // On-Demand value
	// Coverage is the covered On-Demand value over the eligible (AWS Cost
	// Explorer's coverage: the share of eligible spend a commitment covers).
	Coverage          Ratio         `json:"coverage"`
	SavingsPlans      []PlanUse     `json:"savings_plans"`
	ReservedInstances []ReservedUse `json:"reserved_instances"`
	Hourly            []BillHour    `json:"hourly"`
}

// PlanUse is one Savings Plan's use over the run. Utilisation is the used
// commitment over the commitment (AWS's UsedCommitment / TotalCommitment).
type PlanUse struct {
	Type                 string  `json:"type"`
	Family               string  `json:"family,omitempty"`
	Term                 string  `json:"term"`
	Payment              string  `json:"payment"`
	Discount             float64 `json:"discount"`
	FargateDiscount      float64 `json:"fargate_discount,omitempty"`
	CommitmentUSDPerHour float64 `json:"commitment_usd_per_hour"`
	CommittedUSD         USD     `json:"committed_usd"`
	UsedUSD              USD     `json:"used_usd"`
	CoveredUSD           USD     `json:"covered_on_demand_usd"`
	Utilisation          Ratio   `json:"utilisation"`
}

// ReservedUse is one Reserved Instance purchase's use over the run.
// Utilisation is the instance-hours it covered (in normalized units for a
// regional one) over those it could have.
type ReservedUse struct {
	InstanceType string  `json:"instance_type"`
	Count        int     `json:"count"`
	Zone         string  `json:"zone,omitempty"` // "": regional
	Class        string  `json:"offering_class"`
	Term         string  `json:"term"`
	Payment      string  `json:"payment"`
	Discount     float64 `json:"discount"`
	FeeUSD       USD     `json:"fee_usd"`
	CoveredUSD   USD     `json:"covered_on_demand_usd"`
	Utilisation  Ratio   `json:"utilisation"`
}

// BillHour is one clock hour of the bill.
type BillHour struct {
	CommitmentUSD USD   `json:"commitments_usd"` // RI fees and Savings Plan commitments
	OnDemandUSD   USD   `json:"on_demand_usd"`
	SpotUSD       USD   `json:"spot_usd"`
	OtherUSD      USD   `json:"beyond_compute_usd,omitempty"` // EBS and public IPv4
	EligibleUSD   USD   `json:"eligible_on_demand_usd"`
	Coverage      Ratio `json:"coverage"`
	// Utilisation is the hour's used Savings Plans commitment over its
	// commitment, all plans together (0 without a plan).
	Utilisation Ratio `json:"savings_plans_utilisation"`
	TotalUSD    USD   `json:"total_usd"`
}

// Ratio is a share in [0, 1]; JSON writes it with six decimals.
type Ratio float64

// MarshalJSON writes the ratio rounded to a millionth.
func (r Ratio) MarshalJSON() ([]byte, error) {
	return []byte(strconv.FormatFloat(float64(r), 'f', 6, 64)), nil
}

// lineKind is what a usage line meters.
type lineKind int

const (
	lineEC2        lineKind = iota // On-Demand instance-seconds of a type in a zone
	lineFargateCPU                 // On-Demand Fargate CPU-unit-seconds of a platform
	lineFargateMem                 // On-Demand Fargate MiB-seconds of a platform
)

type lineKey struct {
	kind      lineKind
	typ, zone string
}

// usageLine is one hour's eligible usage of one kind: its amount in units,
// its On-Demand price per unit, and how much of it is still uncovered.
type usageLine struct {
	key    lineKey
	family string
	nf     float64 // the type's normalization factor; 0 when it has none
	units  float64 // instance-seconds, CPU-unit-seconds or MiB-seconds
	rate   float64 // On-Demand USD per unit
	left   float64 // units not yet covered
}

// hourUsage is the run's usage by clock hour: eligible lines, and Spot money.
type hourUsage struct {
	frac               []float64 // each hour's share of a full hour (the last may be short)
	lines              [][]usageLine
	spot               []float64
	ebs, ipv4, storage []float64 // the lines beyond compute, USD
	ecr                []float64 // ECR storage and transfer, USD (ecr.go)
}

// meterUsage reads the run's usage records into clock hours, billed as
// ComputeCost bills them (per second, the minimums, free Spot interruptions).
func meterUsage(res *sim.Result, p *Prices) (*hourUsage, error) {
	hours := max(1, int((res.End.Duration()+time.Hour-1)/time.Hour))
	u := &hourUsage{frac: make([]float64, hours), lines: make([][]usageLine, hours), spot: make([]float64, hours),
		ebs: make([]float64, hours), ipv4: make([]float64, hours), storage: make([]float64, hours)}
	var b catalog.Billing
	if res.Config != nil && res.Config.Billing != nil {
		b = *res.Config.Billing
	}
	gbSecond := catalog.GP3USDPerGBMonth / (30 * 86400) * float64(b.EBSRootGB)
	ipSecond := catalog.PublicIPv4USDPerHour / 3600
	for h := range hours {
		u.frac[h] = min(res.End.Duration()-time.Duration(h)*time.Hour, time.Hour).Hours()
	}
	u.ecr = meterECR(res, u.frac) // ecr.go
	if res.End <= 0 {
		u.frac[0] = 1
	}
	amounts := make([]map[lineKey]int64, hours)
	for h := range amounts {
		amounts[h] = map[lineKey]int64{}
	}
	for _, in := range res.Instances {
		// The volume and the address are billed for the instance's life,
		// per second, 60 s at least, even when EC2 does not charge for the
		// instance itself (choice: the free-interruption rule is the
		// instance's).
		life := BilledSeconds(in.Launched, in.Terminated, time.Minute)
		spreadHours(in.Launched, life, hours, func(h int, n int64) {
			u.ebs[h] += float64(n) * gbSecond
			u.ipv4[h] += float64(n) * ipSecond * float64(b.PublicIPv4PerInstance)
		})
		if FreeSpotInterruption(in.InstanceUsage) {
			continue
		}
		billed := BilledSeconds(in.Launched, in.Terminated, p.EC2Minimum)
		if in.Purchase == capacity.Spot && p.varyingSpot() {
			var off int64
			var err error
			spreadHours(in.Launched, billed, hours, func(h int, n int64) {
				usd, e := p.SpotUSD(in.Type, in.AZ, in.Launched+des.At(time.Duration(off)*time.Second), n)
				err = cmp.Or(err, e)
				off += n
				u.spot[h] += usd
			})
			if err != nil {
				return nil, err
			}
			continue
		}
		if in.Purchase == capacity.Spot {
			perHour, err := p.InstanceUSDPerHour(in.Type, capacity.Spot)
			if err != nil {
				return nil, err
			}
			spreadHours(in.Launched, billed, hours, func(h int, n int64) { u.spot[h] += float64(n) / 3600 * perHour })
			continue
		}
		k := lineKey{kind: lineEC2, typ: in.Type, zone: in.AZ}
		spreadHours(in.Launched, billed, hours, func(h int, n int64) { amounts[h][k] += n })
	}
	for _, t := range res.Tasks.All() {
		if t.Instance >= 0 {
			continue // billed as its instance
		}
		cpu, mem := int64(t.CPUUnits), int64(t.MemoryMiB)
		platform := fargatePlatformOf(res, &t)
		billed := BilledSeconds(t.Start, t.Stop, p.fargateMinimum(res, platform))
		extraGB := float64(max(ephemeralGiB(res, &t)-FargateIncludedEphemeralGiB, 0))
		spreadHours(t.Start, billed, hours, func(h int, n int64) {
			u.ipv4[h] += float64(n) * ipSecond * float64(b.PublicIPv4PerFargateTask)
			u.storage[h] += float64(n) * extraGB * FargateEphemeralUSDPerGBHour / 3600
		})
		if res.Providers[t.Provider].Spot {
			spreadHours(t.Start, billed, hours, func(h int, n int64) { u.spot[h] += p.fargatePlatformUSD(platform, cpu*n, mem*n, true) })
			continue
		}
		spreadHours(t.Start, billed, hours, func(h int, n int64) {
			amounts[h][lineKey{kind: lineFargateCPU, typ: platform}] += cpu * n
			amounts[h][lineKey{kind: lineFargateMem, typ: platform}] += mem * n
		})
	}
	for h, m := range amounts {
		for _, k := range slices.SortedFunc(maps.Keys(m), compareKeys) {
			l := usageLine{key: k, units: float64(m[k])}
			switch k.kind {
			case lineEC2:
				perHour, err := p.InstanceUSDPerHour(k.typ, capacity.OnDemand)
				if err != nil {
					return nil, err
				}
				l.rate = perHour / 3600
				if it, ok := p.Catalog.Lookup(k.typ); ok {
					l.family = it.Family
					l.nf, _ = catalog.NormalizationFactor(it.Size)
				}
			case lineFargateCPU: // typ is the task's platform (fargateprice.go)
				l.rate = p.fargateRate(k.typ).USDPerVCPUHour / (1024 * 3600)
			case lineFargateMem:
				l.rate = p.fargateRate(k.typ).USDPerGBHour / (1024 * 3600)
			}
			l.left = l.units
			u.lines[h] = append(u.lines[h], l)
		}
	}
	return u, nil
}

func compareKeys(a, b lineKey) int {
	return cmp.Or(cmp.Compare(a.kind, b.kind), cmp.Compare(a.typ, b.typ), cmp.Compare(a.zone, b.zone))
}

// spreadHours calls f with the billed seconds of [from, from+billed s) that
// fall in each clock hour; seconds past the last hour (a minimum charge near
// the end) count in the last hour, as the cost's hourly breakdown does.
func spreadHours(from des.Time, billed int64, hours int, f func(h int, n int64)) {
	start := from.Duration()
	cum := func(t time.Duration) int64 { return min(max(int64((t-start)/time.Second), 0), billed) }
	for h := int(start / time.Hour); h < hours; h++ {
		lo, hi := cum(time.Duration(h)*time.Hour), cum(time.Duration(h+1)*time.Hour)
		if h == hours-1 {
			hi = billed
		}
		if n := hi - lo; n > 0 {
			f(h, n)
		}
		if hi == billed {
			return
		}
	}
}

// hourResult is what applying the commitments to one hour gives.
type hourResult struct {
	riFee, spFee, onDemand, eligible, coveredRI, coveredSP float64
	riCovered                                              []float64 // per RI: On-Demand value covered
	riUnits                                                []float64 // per RI: units (normalized for regional) covered
	spUsed, spCovered                                      []float64 // per plan
}

// applyHour applies the commitments to one hour's lines (which it changes:
// each line's left is what stays at On-Demand). frac is the hour's share of
// a full hour: a short last hour gets that share of each commitment, as the
// run is a window of a longer term (choice).
func applyHour(lines []usageLine, b *catalog.Billing, riPrice []float64, frac float64) hourResult {
	r := applyBeforeCompute(lines, b, riPrice, frac)
	r.applyPlans(lines, b, catalog.ComputeSavingsPlan, frac)
	r.onDemand = onDemandValue(lines)
	return r
}

// applyBeforeCompute is applyHour up to the Compute Savings Plans: the
// Reserved Instances and the EC2 Instance Savings Plans, which take the
// usage before any Compute plan does. r.onDemand is not summed yet.
func applyBeforeCompute(lines []usageLine, b *catalog.Billing, riPrice []float64, frac float64) hourResult {
	r := hourResult{riCovered: make([]float64, len(b.ReservedInstances)), riUnits: make([]float64, len(b.ReservedInstances)),
		spUsed: make([]float64, len(b.SavingsPlans)), spCovered: make([]float64, len(b.SavingsPlans))}
	for _, l := range lines {
		r.eligible += l.units * l.rate
	}
	// Reserved Instances: zonal ones (the narrower match) before regional ones
	// (choice), each covering at most 3600 instance-seconds per instance per
	// clock hour, across every matching instance.
	for _, zonal := range []bool{true, false} {
		for i, ri := range b.ReservedInstances {
			if (ri.Zone != "") != zonal {
				continue
			}
			r.riFee += float64(ri.Count) * riPrice[i] * (1 - ri.Discount) * frac
			r.riUnits[i], r.riCovered[i] = applyRI(lines, ri, 3600*frac*float64(ri.Count))
			r.coveredRI += r.riCovered[i]
		}
	}
	// Savings Plans: EC2 Instance plans before Compute plans, the plans of
	// each type together.
	r.applyPlans(lines, b, catalog.EC2InstanceSavingsPlan, frac)
	return r
}

// applyPlans applies b's Savings Plans of one type to the hour's lines, as
// a group (applyGroup).
func (r *hourResult) applyPlans(lines []usageLine, b *catalog.Billing, typ string, frac float64) {
	var group []int
	var commits []float64
	for i, sp := range b.SavingsPlans {
		if sp.Type == typ {
			group = append(group, i)
			commits = append(commits, sp.CommitmentUSDPerHour*frac)
			r.spFee += sp.CommitmentUSDPerHour * frac
		}
	}
	if len(group) == 0 {
		return
	}
	used, covered := applyGroup(lines, commits, func(l usageLine, k int) (float64, bool) { return planDiscount(b.SavingsPlans[group[k]], l) })
	for k, i := range group {
		r.spUsed[i], r.spCovered[i] = used[k], covered[k]
		r.coveredSP += covered[k]
	}
}

// onDemandValue is the On-Demand value of what the commitments left of the
// lines.
func onDemandValue(lines []usageLine) float64 {
	var od float64
	for _, l := range lines {
		od += max(l.left, 0) * l.rate
	}
	return od
}

// applyRI covers lines with one Reserved Instance purchase of capacity
// instance-seconds this hour, and returns the units it used and the
// On-Demand value it covered. A zonal RI matches its type in its zone. A
// regional RI matches its type in any zone and, when its size has a
// normalization factor, any size of its family ("instance size
// flexibility"), counted in normalized units and applied from the smallest
// size to the largest, as AWS documents.
func applyRI(lines []usageLine, ri catalog.ReservedInstance, capacity float64) (units, covered float64) {
	family, size, _ := cutType(ri.InstanceType)
	nf, flexible := catalog.NormalizationFactor(size)
	if ri.Zone != "" || !flexible {
		nf, flexible = 1, false
	}
	left := capacity * nf
	var idx []int
	for i, l := range lines {
		switch {
		case l.key.kind != lineEC2 || l.left <= 0:
		case ri.Zone != "" && l.key.typ == ri.InstanceType && l.key.zone == ri.Zone:
			idx = append(idx, i)
		case ri.Zone == "" && !flexible && l.key.typ == ri.InstanceType:
			idx = append(idx, i)
		case ri.Zone == "" && flexible && l.family == family && l.nf > 0:
			idx = append(idx, i)
		}
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(lines[a].nf, lines[b].nf) })
	for _, i := range idx {
		if left <= 0 {
			break
		}
		per := 1.0
		if flexible {
			per = lines[i].nf
		}
		secs := min(lines[i].left, left/per)
		lines[i].left -= secs
		left -= secs * per
		units += secs * per
		covered += secs * lines[i].rate
	}
	return units, covered
}

// planDiscount is a plan's savings percentage on a line, and whether the
// plan covers the line at all: an EC2 Instance plan its family's EC2
// usage, a Compute plan any EC2 usage (at Discount) and Fargate (at
// FargateDiscount).
func planDiscount(sp catalog.SavingsPlan, l usageLine) (float64, bool) {
	switch {
	case l.key.kind == lineEC2 && sp.Type == catalog.EC2InstanceSavingsPlan:
		return sp.Discount, l.family == sp.Family
	case l.key.kind == lineEC2:
		return sp.Discount, true
	default:
		return sp.FargateDiscount, sp.Type == catalog.ComputeSavingsPlan
	}
}

// applyRates spends one plan's commitment on the lines discount says it
// covers, at the savings percentage it gives; see applyGroup.
func applyRates(lines []usageLine, commit float64, discount func(usageLine) (float64, bool)) (used, covered float64) {
	u, c := applyGroup(lines, []float64{commit}, func(l usageLine, _ int) (float64, bool) { return discount(l) })
	return u[0], c[0]
}

// applyGroup applies a group of Savings Plans of one type together, as AWS
// does ("Your current Savings Plans are grouped together and applied to the
// eligible usage"; Savings Plans User Guide, sp-applying.html): every
// (usage, plan) pair is ranked by savings percentage, highest first, then
// by the lowest Savings Plans rate, and each pair spends what is left of
// its plan's hourly commitment on what is left of its usage, until the
// usage or the commitments run out. discount gives a plan's savings
// percentage on a line and whether it covers the line. It returns, per
// plan, the commitment used and the On-Demand value covered.
func applyGroup(lines []usageLine, commits []float64, discount func(l usageLine, plan int) (float64, bool)) (used, covered []float64) {
	cs := rankCandidates(lines, len(commits), discount)
	left := slices.Clone(commits)
	covered = make([]float64, len(commits))
	for _, c := range cs {
		l := &lines[c.i]
		if left[c.k] <= 0 || l.left <= 0 {
			continue
		}
		need := l.left * l.rate * (1 - c.d) // the uncovered usage at the Savings Plans rate
		take := min(need, left[c.k])
		cov := take / (1 - c.d) // its On-Demand value
		if take == need {
			l.left = 0
		} else {
			l.left -= cov / l.rate
		}
		left[c.k] -= take
		covered[c.k] += cov
	}
	used = make([]float64, len(commits))
	for k := range commits {
		used[k] = commits[k] - left[k]
	}
	return used, covered
}

// cand is a (usage line, plan) pair a Savings Plans group may apply.
type cand struct {
	i, k    int     // line, plan
	d, rate float64 // savings percentage; Savings Plans rate per unit-hour
}

// rankCandidates is the (line, plan) pairs of a group of plans on the
// lines still uncovered, in the order the group applies them: savings
// percentage, highest first, then the lowest Savings Plans rate.
func rankCandidates(lines []usageLine, plans int, discount func(l usageLine, plan int) (float64, bool)) []cand {
	var cs []cand
	for i, l := range lines {
		if l.left <= 0 {
			continue
		}
		unitHour := 3600.0 // per instance-hour
		if l.key.kind != lineEC2 {
			unitHour = 1024 * 3600 // per vCPU-hour or GB-hour
		}
		for k := range plans {
			if d, ok := discount(l, k); ok && d < 1 {
				cs = append(cs, cand{i, k, d, l.rate * unitHour * (1 - d)})
			}
		}
	}
	slices.SortStableFunc(cs, func(a, b cand) int { return cmp.Or(cmp.Compare(b.d, a.d), cmp.Compare(a.rate, b.rate)) })
	return cs
}

// cutType splits "m5.large" into family and size.
func cutType(t string) (family, size string, ok bool) {
	for i := range len(t) {
		if t[i] == '.' {
			return t[:i], t[i+1:], true
		}
	}
	return t, "", false
}

// riPrices is each Reserved Instance's On-Demand price per hour.
func riPrices(b *catalog.Billing, p *Prices) ([]float64, error) {
	out := make([]float64, len(b.ReservedInstances))
	for i, ri := range b.ReservedInstances {
		v, err := p.InstanceUSDPerHour(ri.InstanceType, capacity.OnDemand)
		if err != nil {
			return nil, fmt.Errorf("report: reserved instance %d: %w", i+1, err)
		}
		out[i] = v
	}
	return out, nil
}

// billFor applies b to the metered usage, hour by hour.
func billFor(u *hourUsage, b *catalog.Billing, riPrice []float64) *Bill {
	return billWith(u, b, riPrice, func(h int) hourResult {
		return applyHour(slices.Clone(u.lines[h]), b, riPrice, u.frac[h])
	}, &Bill{})
}

// billWith is the bill of the hours hour(h) applies b to (applyHour on
// each hour's lines; the commitment curve's shortcut, commit.go), made in
// bill, whose slices it reuses.
func billWith(u *hourUsage, b *catalog.Billing, riPrice []float64, hour func(h int) hourResult, bill *Bill) *Bill {
	*bill = Bill{OperatingSystem: b.OperatingSystem, FargateArchitecture: b.FargateArchitecture,
		SavingsPlans: zeroed(bill.SavingsPlans, len(b.SavingsPlans)), ReservedInstances: zeroed(bill.ReservedInstances, len(b.ReservedInstances)),
		Hourly: zeroed(bill.Hourly, len(u.lines))}
	riUnits := make([]float64, len(b.ReservedInstances))
	var hoursTotal float64
	for h := range u.lines {
		r := hour(h)
		hoursTotal += u.frac[h]
		hb := BillHour{CommitmentUSD: USD(r.riFee + r.spFee), OnDemandUSD: USD(r.onDemand), SpotUSD: USD(u.spot[h]), EligibleUSD: USD(r.eligible),
			OtherUSD: USD(u.ebs[h] + u.ipv4[h] + u.storage[h] + u.ecrAt(h))}
		if r.eligible > 0 {
			hb.Coverage = Ratio(min((r.coveredRI+r.coveredSP)/r.eligible, 1)) // min: float rounding
		}
		if r.spFee > 0 {
			var used float64
			for _, x := range r.spUsed {
				used += x
			}
			hb.Utilisation = Ratio(min(used/r.spFee, 1))
		}
		hb.TotalUSD = (hb.CommitmentUSD + hb.OnDemandUSD + hb.SpotUSD + hb.OtherUSD) * USD(1-b.EnterpriseDiscount)
		bill.Hourly[h] = hb
		bill.ReservedInstanceUSD += USD(r.riFee)
		bill.SavingsPlanUSD += USD(r.spFee)
		bill.OnDemandUSD += USD(r.onDemand)
		bill.SpotUSD += USD(u.spot[h])
		bill.EBSUSD += USD(u.ebs[h])
		bill.PublicIPv4USD += USD(u.ipv4[h])
		bill.FargateStorageUSD += USD(u.storage[h])
		bill.ECRUSD += USD(u.ecrAt(h))
		bill.EligibleUSD += USD(r.eligible)
		bill.CoveredByRIUSD += USD(r.coveredRI)
		bill.CoveredBySPUSD += USD(r.coveredSP)
		for i := range b.SavingsPlans {
			bill.SavingsPlans[i].UsedUSD += USD(r.spUsed[i])
			bill.SavingsPlans[i].CoveredUSD += USD(r.spCovered[i])
		}
		for i, ri := range b.ReservedInstances {
			bill.ReservedInstances[i].FeeUSD += USD(float64(ri.Count) * riPrice[i] * (1 - ri.Discount) * u.frac[h])
			bill.ReservedInstances[i].CoveredUSD += USD(r.riCovered[i])
			riUnits[i] += r.riUnits[i]
		}
	}
	gross := bill.ReservedInstanceUSD + bill.SavingsPlanUSD + bill.OnDemandUSD + bill.SpotUSD + bill.EBSUSD + bill.PublicIPv4USD + bill.FargateStorageUSD + bill.ECRUSD
	bill.EnterpriseDiscountUSD = gross * USD(b.EnterpriseDiscount)
	bill.TotalUSD = gross - bill.EnterpriseDiscountUSD
	if bill.EligibleUSD > 0 {
		bill.Coverage = Ratio(min(float64((bill.CoveredByRIUSD+bill.CoveredBySPUSD)/bill.EligibleUSD), 1))
	}
	for i, sp := range b.SavingsPlans {
		pu := &bill.SavingsPlans[i]
		pu.Type, pu.Family, pu.Term, pu.Payment, pu.Discount = sp.Type, sp.Family, sp.Term, sp.Payment, sp.Discount
		if sp.Type == catalog.ComputeSavingsPlan {
			pu.FargateDiscount = sp.FargateDiscount
		}
		pu.CommitmentUSDPerHour = sp.CommitmentUSDPerHour
		pu.CommittedUSD = USD(sp.CommitmentUSDPerHour * hoursTotal)
		if pu.CommittedUSD > 0 {
			pu.Utilisation = Ratio(min(float64(pu.UsedUSD/pu.CommittedUSD), 1))
		}
	}
	for i, ri := range b.ReservedInstances {
		ru := &bill.ReservedInstances[i]
		ru.InstanceType, ru.Count, ru.Zone, ru.Class, ru.Term, ru.Payment, ru.Discount = ri.InstanceType, ri.Count, ri.Zone, ri.Class, ri.Term, ri.Payment, ri.Discount
		if ru.Class == "" {
			ru.Class = "standard"
		}
		_, size, _ := cutType(ri.InstanceType)
		nf, ok := catalog.NormalizationFactor(size)
		if ri.Zone != "" || !ok {
			nf = 1
		}
		if capUnits := float64(ri.Count) * nf * 3600 * hoursTotal; capUnits > 0 {
			ru.Utilisation = Ratio(min(riUnits[i]/capUnits, 1))
		}
	}
	return bill
}

// zeroed is s cut or grown to n zero values; never nil (cost.json writes
// an empty list as [], not null).
func zeroed[T any](s []T, n int) []T {
	if s == nil || cap(s) < n {
		return make([]T, n)
	}
	s = s[:n]
	clear(s)
	return s
}

// ephemeralGiB is a Fargate task's configured ephemeral storage (0: the
// included 20 GiB).
func ephemeralGiB(res *sim.Result, t *ecs.TaskUsage) int {
	if res.Config == nil || t.Def < 0 || int(t.Def) >= len(res.Config.TaskDefinitions) {
		return 0
	}
	return res.Config.TaskDefinitions[t.Def].EphemeralStorageGiB
}
