package scenarios

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/sim/capacity/catalog"
	"github.com/fleetsim/fleetsim/sim/ecs"
)

// billingSchema is [billing]: how the run is bought. Absent: Linux/x86
// On-Demand and Spot, no commitment (and cost.json as before).
type billingSchema struct {
	OperatingSystem     string                   `toml:"operating_system"`
	FargateArchitecture string                   `toml:"fargate_cpu_architecture"`
	CurveSteps          *int                     `toml:"commitment_curve_steps" min:"1" max:"1000"`
	EnterpriseDiscount  *float64                 `toml:"enterprise_discount" max:"0.99" why:"a fraction off the bill"`
	EBSRootGB           int                      `toml:"ebs_root_volume_gb" max:"16384" why:"AWS: gp3 volumes of 1 GiB to 16 TiB"`
	PublicIPv4Instance  int                      `toml:"public_ipv4_per_instance" max:"50"`
	PublicIPv4Fargate   int                      `toml:"public_ipv4_per_fargate_task" max:"1" why:"a Fargate task has one ENI"`
	WindowsMinimumMin   *int                     `toml:"fargate_windows_minimum_minutes" min:"1" max:"60"`
	OnDemandPrices      map[string]float64       `toml:"on_demand_usd_per_hour" maxitems:"2000" max:"1000"`
	SpotDiscounts       map[string]float64       `toml:"spot_discount_by_type" maxitems:"2000" max:"0.99" why:"a fraction off On-Demand"`
	SavingsPlans        []savingsPlanSchema      `toml:"savings_plan" maxitems:"100"`
	ReservedInstances   []reservedInstanceSchema `toml:"reserved_instance" maxitems:"1000"`
	SpotPriceHistory    string                   `toml:"spot_price_history"`
	SpotPrices          []spotPriceSchema        `toml:"spot_price" maxitems:"10000"`
}

type savingsPlanSchema struct {
	Type                 string   `toml:"type"`
	CommitmentUSDPerHour float64  `toml:"commitment_usd_per_hour" max:"1000000" tiny:"0.001" why:"AWS: a commitment from $0.001 per hour"`
	Term                 string   `toml:"term"`
	Payment              string   `toml:"payment"`
	Family               string   `toml:"family"`
	Discount             *float64 `toml:"discount" max:"0.99" why:"a fraction off On-Demand"`
	FargateDiscount      *float64 `toml:"fargate_discount" max:"0.99" why:"a fraction off On-Demand"`
}

type reservedInstanceSchema struct {
	InstanceType  string   `toml:"instance_type"`
	Count         *int     `toml:"count" min:"1" max:"100000"`
	Zone          string   `toml:"zone"`
	OfferingClass string   `toml:"offering_class"`
	Term          string   `toml:"term"`
	Payment       string   `toml:"payment"`
	Discount      *float64 `toml:"discount" max:"0.99" why:"a fraction off On-Demand"`
}

var (
	billingTerms    = []string{"1yr", "3yr"}
	billingPayments = []string{"no_upfront", "partial_upfront", "all_upfront"}
)

// regionCatalog returns the catalog of the scenario's region (us-east-1 when
// none is given), recording a problem at region when there is none.
func (v *validator) regionCatalog(region string) *catalog.Catalog {
	if region == "" {
		return catalog.Default()
	}
	c, err := catalog.ForRegion(region)
	if err != nil {
		v.badHint(p("region"), "a region with a price table: "+strings.Join(catalog.Regions(), ", "), quoteShort(region),
			"fleetsim ships AWS-generated EC2 prices for these regions only; see docs/semantics/billing.md")
		return catalog.Default()
	}
	return c
}

// billing checks [billing] against the built configuration and returns it;
// nil when the scenario has no [billing] table.
func (v *validator) billing(cfg *sim.Config) *catalog.Billing {
	f := v.f.Billing
	usesFargate, usesFargateSpot := fargateUse(cfg)
	if cfg.Region != catalog.Default().Region && usesFargate {
		v.badHint(p("region"), "us-east-1 for a scenario that runs Fargate tasks", quoteShort(cfg.Region),
			"AWS's Fargate pricing page was read for us-east-1 only: fleetsim has no Fargate price for other regions")
	}
	if f == nil {
		return nil
	}
	b := &catalog.Billing{CurveSteps: 20}
	if f.CurveSteps != nil {
		b.CurveSteps = *f.CurveSteps
	}
	b.EBSRootGB, b.PublicIPv4PerInstance, b.PublicIPv4PerFargateTask = f.EBSRootGB, f.PublicIPv4Instance, f.PublicIPv4Fargate
	for _, c := range []struct {
		key string
		n   int
	}{{"ebs_root_volume_gb", f.EBSRootGB}, {"public_ipv4_per_instance", f.PublicIPv4Instance}, {"public_ipv4_per_fargate_task", f.PublicIPv4Fargate}} {
		if c.n < 0 {
			v.bad(p("billing", c.key), "a count >= 0 (0: not billed)", fmt.Sprint(c.n))
		}
	}
	if f.EBSRootGB > 0 && cfg.Region != catalog.Default().Region {
		v.bad(p("billing", "ebs_root_volume_gb"), "0 outside us-east-1 (the gp3 price was read for us-east-1 only)", fmt.Sprint(f.EBSRootGB))
	}
	for _, typ := range slices.Sorted(maps.Keys(f.OnDemandPrices)) {
		if v.typeKey(p("billing", "on_demand_usd_per_hour", typ), typ) {
			if x := f.OnDemandPrices[typ]; x <= 0 {
				v.bad(p("billing", "on_demand_usd_per_hour", typ), "a price in USD per hour above 0", fmt.Sprint(x))
			}
		}
	}
	for _, typ := range slices.Sorted(maps.Keys(f.SpotDiscounts)) {
		if v.typeKey(p("billing", "spot_discount_by_type", typ), typ) {
			v.fraction(p("billing", "spot_discount_by_type", typ), f.SpotDiscounts[typ])
		}
	}
	if len(f.OnDemandPrices) > 0 {
		b.OnDemandUSDPerHour = maps.Clone(f.OnDemandPrices)
	}
	if len(f.SpotDiscounts) > 0 {
		b.SpotDiscountByType = maps.Clone(f.SpotDiscounts)
	}
	b.SpotPrices = v.spotPrices(cfg, f) // spotprice.go
	if f.EnterpriseDiscount != nil {
		b.EnterpriseDiscount = v.fraction(p("billing", "enterprise_discount"), *f.EnterpriseDiscount)
	}
	oses := []string{"linux", "windows"}
	b.OperatingSystem = oses[v.enum(p("billing", "operating_system"), oses, f.OperatingSystem, 0)]
	if b.OperatingSystem == "windows" {
		if len(cfg.Groups) > 0 {
			v.badHint(p("billing", "operating_system"), "linux for a scenario with Auto Scaling groups", `"windows"`,
				"the AWS-generated EC2 price data fleetsim ships is Linux-only; Windows is priced for Fargate tasks alone")
		}
		if cfg.Region != catalog.Default().Region {
			v.bad(p("billing", "operating_system"), "linux outside us-east-1 (Windows Fargate rates were read for us-east-1 only)", `"windows"`)
		}
	}
	if f.WindowsMinimumMin != nil {
		b.FargateWindowsMinimum = time.Duration(*f.WindowsMinimumMin) * time.Minute
	}
	archs := []string{"x86_64", "arm64"}
	b.FargateArchitecture = archs[v.enum(p("billing", "fargate_cpu_architecture"), archs, f.FargateArchitecture, 0)]
	if usesFargateSpot && (b.FargateArchitecture == "arm64" || b.OperatingSystem == "windows") {
		v.badHint(p("billing", "fargate_cpu_architecture"), "Linux/x86_64 for a scenario with FARGATE_SPOT tasks", quoteShort(b.OperatingSystem+"/"+b.FargateArchitecture),
			"AWS: Fargate Spot runs Linux x86 tasks only")
	}
	if b.OperatingSystem == "windows" && b.FargateArchitecture == "arm64" {
		v.bad(p("billing", "fargate_cpu_architecture"), "x86_64 for Windows (AWS Fargate runs Windows on x86 only)", `"arm64"`)
	}
	families := map[string]bool{}
	for _, n := range v.cat.Names() {
		it, _ := v.cat.Lookup(n)
		families[it.Family] = true
	}
	for i, s := range f.SavingsPlans {
		path := p("billing", "savings_plan", i)
		types := []string{catalog.ComputeSavingsPlan, catalog.EC2InstanceSavingsPlan}
		sp := catalog.SavingsPlan{CommitmentUSDPerHour: s.CommitmentUSDPerHour}
		if s.Type == "" {
			v.bad(append(path, "type"), "the plan type, compute or ec2_instance", "none")
		}
		sp.Type = types[v.enum(append(path, "type"), types, s.Type, 0)]
		if s.CommitmentUSDPerHour <= 0 {
			v.bad(append(path, "commitment_usd_per_hour"), "an hourly commitment in USD, at least 0.001", fmt.Sprint(s.CommitmentUSDPerHour))
		}
		sp.Term = billingTerms[v.enum(append(path, "term"), billingTerms, s.Term, 0)]
		sp.Payment = billingPayments[v.enum(append(path, "payment"), billingPayments, s.Payment, 0)]
		switch {
		case sp.Type == catalog.EC2InstanceSavingsPlan && s.Family == "":
			v.bad(append(path, "family"), "the instance family the plan covers, such as \"m5\"", "none")
		case sp.Type == catalog.EC2InstanceSavingsPlan && !families[s.Family]:
			v.badName(append(path, "family"), "the instance families of the "+v.cat.Region+" catalog", s.Family, slices.Sorted(maps.Keys(families)))
		case sp.Type == catalog.ComputeSavingsPlan && s.Family != "":
			v.bad(append(path, "family"), "no family: a Compute Savings Plan covers every family", quoteShort(s.Family))
		}
		sp.Family = s.Family
		sp.Discount = catalog.DefaultDiscount(sp.Type, sp.Term, sp.Payment)
		if s.Discount != nil {
			sp.Discount = v.fraction(append(path, "discount"), *s.Discount)
		}
		sp.FargateDiscount = sp.Discount
		if s.FargateDiscount != nil {
			if sp.Type != catalog.ComputeSavingsPlan {
				v.bad(append(path, "fargate_discount"), "no Fargate discount: an EC2 Instance Savings Plan covers EC2 alone", fmt.Sprint(*s.FargateDiscount))
			}
			sp.FargateDiscount = v.fraction(append(path, "fargate_discount"), *s.FargateDiscount)
		}
		b.SavingsPlans = append(b.SavingsPlans, sp)
	}
	for i, r := range f.ReservedInstances {
		path := p("billing", "reserved_instance", i)
		ri := catalog.ReservedInstance{InstanceType: r.InstanceType, Count: 1, Zone: r.Zone}
		if r.Count != nil {
			ri.Count = *r.Count
		}
		switch _, ok := v.cat.Lookup(r.InstanceType); {
		case r.InstanceType == "":
			v.bad(append(path, "instance_type"), "the reserved instance type, such as \"m5.large\"", "none")
		case !ok && v.cat.NotOffered(r.InstanceType):
			v.bad(append(path, "instance_type"), "an instance type offered in "+v.cat.Region, quoteShort(r.InstanceType))
		case !ok:
			pr := v.problem(append(path, "instance_type"), "an EC2 instance type in the "+v.cat.Region+" catalog", quoteShort(r.InstanceType), "")
			if s := v.cat.Suggest(r.InstanceType, 3); len(s) > 0 {
				pr.Hint = "did you mean " + strings.Join(s, ", ") + "?"
			}
			v.problems = append(v.problems, pr)
		}
		if r.Zone != "" && !slices.Contains(catalog.Zones(cfg.Region), r.Zone) {
			v.bad(append(path, "zone"), "an Availability Zone of "+cfg.Region+" ("+strings.Join(catalog.Zones(cfg.Region), ", ")+"), or none for a regional reservation", quoteShort(r.Zone))
		}
		classes := []string{"standard", "convertible"}
		ri.Class = classes[v.enum(append(path, "offering_class"), classes, r.OfferingClass, 0)]
		ri.Term = billingTerms[v.enum(append(path, "term"), billingTerms, r.Term, 0)]
		ri.Payment = billingPayments[v.enum(append(path, "payment"), billingPayments, r.Payment, 0)]
		kind := "reserved_instance"
		if ri.Class == "convertible" {
			kind = "convertible_reserved_instance"
		}
		ri.Discount = catalog.DefaultDiscount(kind, ri.Term, ri.Payment)
		if r.Discount != nil {
			ri.Discount = v.fraction(append(path, "discount"), *r.Discount)
		}
		b.ReservedInstances = append(b.ReservedInstances, ri)
	}
	return b
}

// typeKey checks that a key names an instance type the region offers.
func (v *validator) typeKey(path []string, typ string) bool {
	if _, ok := v.cat.Lookup(typ); ok {
		return true
	}
	pr := v.problem(path, "an EC2 instance type in the "+v.cat.Region+" catalog", quoteShort(typ), "")
	if s := v.cat.Suggest(typ, 3); len(s) > 0 {
		pr.Hint = "did you mean " + strings.Join(s, ", ") + "?"
	}
	v.problems = append(v.problems, pr)
	return false
}

func (v *validator) fraction(path []string, x float64) float64 {
	if x < 0 || x >= 1 {
		v.bad(path, "a fraction off On-Demand in [0, 1)", fmt.Sprint(x))
	}
	return x
}

// fargateUse reports whether any service, job or the cluster's default
// strategy runs tasks on Fargate, and on Fargate Spot.
func fargateUse(cfg *sim.Config) (fargate, spot bool) {
	see := func(launchType string, s []ecs.StrategyItem) {
		if launchType == "FARGATE" {
			fargate = true
		}
		for _, it := range s {
			switch it.Provider {
			case ecs.ProviderFargate:
				fargate = true
			case ecs.ProviderFargateSpot:
				fargate, spot = true, true
			}
		}
	}
	see("", cfg.Cluster.DefaultProviderStrategy)
	for _, s := range cfg.Services {
		see(s.LaunchType, s.ProviderStrategy)
	}
	for _, j := range cfg.BatchJobs {
		see(j.LaunchType, j.ProviderStrategy)
	}
	return fargate, spot
}
